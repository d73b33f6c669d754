/* projector.js: the wall screen.  See brink.js for the ids. */
'use strict';

(function () {
  var B = Brink;
  var HEADLINES = 5;
  var chartsOf = -1, chartsBusy = false, chartsWanted = -1;

  /* A chart is SVG made by our own server (the report's renderer, which
   * writes no xmlns, so it is parsed as HTML in an inert document where
   * nothing runs); the <svg> is stripped of script, foreign content and
   * event or link attributes, and only then put into #charts. */
  function svgNode(text) {
    var doc = new DOMParser().parseFromString(String(text), 'text/html');
    var root = doc.body && doc.body.querySelector('svg');
    if (!root) return null;
    var bad = root.querySelectorAll('script, foreignObject, iframe');
    Array.prototype.forEach.call(bad, function (n) { n.parentNode.removeChild(n); });
    Array.prototype.forEach.call(root.querySelectorAll('*'), function (n) {
      Array.prototype.slice.call(n.attributes).forEach(function (a) {
        if (/^on/i.test(a.name) || /href$/i.test(a.name)) n.removeAttribute(a.name);
      });
    });
    return document.importNode(root, true);
  }

  function drawCharts(version) {
    chartsWanted = version;
    if (chartsBusy || version === chartsOf) return;
    chartsBusy = true;
    B.api('GET', 'api/charts').then(function (a) {
      chartsBusy = false;
      chartsOf = version;
      if (chartsWanted !== chartsOf) drawCharts(chartsWanted);
      var box = B.clear(B.$('charts'));
      (a.charts || []).forEach(function (c) {
        var fig = B.el('figure', { 'data-var': c['var'] },
          B.el('figcaption', null, c['var']));
        var svg = svgNode(c.svg);
        if (svg) fig.appendChild(svg);
        else fig.appendChild(B.el('p', { class: 'empty' }, 'chart not readable'));
        box.appendChild(fig);
      });
      if (!box.firstChild) {
        box.appendChild(B.el('p', { class: 'empty' }, 'No value has moved yet.'));
      }
    }, function (err) {
      chartsBusy = false;
      chartsOf = -1;
      B.showError('Could not load the charts: ' + err.message, 'load');
    });
  }

  function render(state) {
    B.renderHeader(state, 'projector');
    var news = (state.timeline || []).filter(function (e) {
      return e.kind === 'news' || e.kind === 'end';
    }).slice(-HEADLINES).reverse();
    var list = B.clear(B.$('news'));
    news.forEach(function (e, i) {
      list.appendChild(B.el('li', { 'data-turn': e.turn, 'data-kind': e.kind,
        class: i === 0 ? 'latest' : '' },
        B.el('span', { class: 'when' }, 'Turn ' + e.turn
          + (e.date ? ' \u00b7 ' + B.niceDate(e.date) : '')),
        B.eventText(state, e)));
    });
    if (!list.firstChild) list.appendChild(B.el('li', { class: 'empty' }, 'No news yet.'));
    B.renderTimeline(B.$('timeline'), state);
    drawCharts(state.version);
  }

  B.live(render);
})();
