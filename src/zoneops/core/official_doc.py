"""Word documents in the style of a government document (公文): 仿宋 body at 14 pt, titles in
方正小标宋简体, headings in 黑体, the issuing office and date at the end, right-aligned. Used by the
dispatch meeting memo (projects) and the zone's annual summary (rankings)."""
import io


class OfficialDocument:
    def __init__(self):
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Pt

        self.doc = Document()
        style = self.doc.styles["Normal"]
        style.font.name = "仿宋"
        style.font.size = Pt(14)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")

    def para(self, text, *, bold=False, size=None, center=False, right=False, font=None):
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if font:
            run.font.name = font
            run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return p

    def sign_off(self, office, day):
        """The issuing office and the date (2026年11月23日), right-aligned."""
        self.para(office, right=True)
        self.para(f"{day.year}年{day.month}月{day.day}日", right=True)

    def bytes(self):
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()
