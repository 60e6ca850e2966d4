"""USCC (统一社会信用代码, GB 32100-2015) checking with Chinese messages. Pure, no Django."""
import unicodedata

from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as stdnum_uscc


def clean_uscc(value):
    """The compact upper-case code, or ValueError with a Chinese reason."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        raise ValueError("统一社会信用代码不能为空")
    try:
        return stdnum_uscc.validate(text)
    except stdnum_errors.InvalidLength:
        n = len(stdnum_uscc.compact(text))
        raise ValueError(f"统一社会信用代码应为 18 位，实际 {n} 位") from None
    except stdnum_errors.InvalidChecksum:
        raise ValueError("统一社会信用代码校验位错误") from None
    except stdnum_errors.InvalidFormat:
        raise ValueError("统一社会信用代码格式错误（含非法字符，或登记管理部门、机构类别代码不正确）") from None
    except stdnum_errors.ValidationError:
        raise ValueError("统一社会信用代码无效") from None
