/* The parcel map: fetches the zone's parcels as GeoJSON, registers them as an ECharts map (no
   online tiles: the parcels are the map) and colours them by the legend the server computed. */
(function () {
  'use strict';
  function text(key) {
    var el = document.getElementById('map-text');
    var t = el ? JSON.parse(el.textContent) || {} : {};
    return t[key] || key;
  }
  function fmt(v, digits) {
    if (v === null || v === undefined || v === '') { return '—'; }
    return Number(v).toLocaleString('zh-CN', {maximumFractionDigits: digits});
  }
  function init() {
    var box = document.getElementById('land-map');
    if (!box || !window.echarts) { return; }
    var status = document.getElementById('map-status');
    fetch(box.dataset.url, {credentials: 'same-origin', headers: {Accept: 'application/geo+json'}})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        if (!res.ok) { status.textContent = res.body.detail || text('加载失败'); status.classList.add('text-danger'); return; }
        draw(box, res.body, status);
      })
      .catch(function () { status.textContent = text('加载失败'); status.classList.add('text-danger'); });
  }
  function draw(box, fc, status) {
    var colours = {}, byCode = {};
    fc.legend.forEach(function (l) { colours[l.key] = l.colour; });
    var legendBody = document.querySelector('#map-legend tbody');
    legendBody.innerHTML = '';
    var total = 0, totalMu = 0;
    fc.legend.forEach(function (l) {
      var tr = document.createElement('tr');
      tr.dataset.key = l.key;
      var sw = document.createElement('td'), name = document.createElement('td'), n = document.createElement('td'), mu = document.createElement('td');
      sw.innerHTML = '<span class="zo-legend-swatch"></span>';
      sw.firstChild.style.background = l.colour;
      name.textContent = l.label;
      n.textContent = fmt(l.count, 0); n.className = 'text-end';
      mu.textContent = fmt(l.mu, 1); mu.className = 'text-end';
      tr.append(sw, name, n, mu);
      legendBody.appendChild(tr);
      total += l.count; totalMu += l.mu;
    });
    document.getElementById('legend-count').textContent = fmt(total, 0);
    document.getElementById('legend-mu').textContent = fmt(totalMu, 1);
    if (!fc.features.length) {
      status.textContent = text('没有带边界的地块：请先导入地块边界，或放宽筛选条件。');
      return;
    }
    status.textContent = text('地块') + ' ' + fmt(fc.count, 0) + ' · ' + text('滚轮缩放，拖动平移，点击地块查看详情');
    var loLat = 90, hiLat = -90;
    var data = fc.features.map(function (f) {
      byCode[f.properties.code] = f;
      var c0 = f.geometry.coordinates[0][0], first = f.geometry.type === 'Polygon' ? c0 : c0[0];
      loLat = Math.min(loLat, first[1]); hiLat = Math.max(hiLat, first[1]);
      var c = colours[f.properties.key] || '#9e9e9e';
      // the same fill when hovered or selected: ECharts' default yellow would read as a status colour
      return {name: f.properties.code, value: f.properties.area, itemStyle: {areaColor: c},
        emphasis: {itemStyle: {areaColor: c}}, select: {itemStyle: {areaColor: c}}};
    });
    var mapName = 'zone-parcels-' + fc.zone.id;
    echarts.registerMap(mapName, fc);
    var lat = (loLat + hiLat) / 2;  // the zone's middle latitude: a degree of longitude is cos(lat) of one of latitude
    var chart = echarts.init(box, null, {renderer: 'canvas'});
    chart.setOption({
      animation: false,
      tooltip: {trigger: 'item', formatter: function (p) {
        var f = byCode[p.name];
        if (!f) { return ''; }
        var pr = f.properties, esc = echarts.format.encodeHTML;
        return esc(pr.code) + (pr.name ? ' ' + esc(pr.name) : '') + '<br>' + esc(pr.status) + ' · ' + fmt(pr.area, 2) + ' ' + text('亩') +
          (pr.holder ? '<br>' + esc(pr.holder) : '');
      }},
      series: [{type: 'map', map: mapName, nameProperty: 'code', roam: true, selectedMode: 'single',
        aspectScale: Math.cos(lat * Math.PI / 180), layoutCenter: ['50%', '50%'], layoutSize: '96%', label: {show: false},
        itemStyle: {borderColor: '#555', borderWidth: 0.5},
        emphasis: {label: {show: false}, itemStyle: {borderColor: '#000', borderWidth: 1.5}},
        select: {label: {show: false}, itemStyle: {borderColor: '#d00', borderWidth: 2}},
        data: data}]
    });
    window.addEventListener('resize', function () { chart.resize(); });
    chart.on('click', function (p) { showCard(byCode[p.name], box.dataset.parcelUrl); });
    box.dataset.ready = '1';
    window.zoneopsLandMap = {chart: chart, features: byCode, show: function (code) { showCard(byCode[code], box.dataset.parcelUrl); }};
  }
  function showCard(f, urlPattern) {
    if (!f) { return; }
    var card = document.getElementById('parcel-card'), pr = f.properties;
    var values = {code: pr.code, name: pr.name || '—', area: fmt(pr.area, 2), status: pr.status, holder: pr.holder || '—',
      'class': pr['class'] || '—', far: fmt(pr.far, 2)};
    card.querySelectorAll('[data-f]').forEach(function (dd) { dd.textContent = values[dd.dataset.f]; });
    document.getElementById('card-title').textContent = pr.code;
    document.getElementById('card-link').href = urlPattern.replace('{id}', f.id);
    card.hidden = false;
  }
  document.addEventListener('DOMContentLoaded', function () {
    init();
    var close = document.getElementById('card-close');
    if (close) { close.addEventListener('click', function () { document.getElementById('parcel-card').hidden = true; }); }
  });
})();
