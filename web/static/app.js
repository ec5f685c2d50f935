// Indivisible's browser code: draws the maps and enhances the assess form.
// Everything it shows also comes from the server (colours, labels), so
// the page stays correct without it; it only adds the map and conveniences.
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var W = 960, H = 600;

  // The main map is fitted to these points rather than to the states'
  // shapes: France's shape includes French Guiana, and the USA's Alaska
  // and Hawaii, which would stretch the fit across the world. Australia
  // reaches into the map's corner.
  var EURASIA = {type: 'MultiPoint', coordinates: [
    [-24, 66], [-10, 36], [12, 35], [30, 71], [70, 77], [110, 78], [180, 66],
    [145, 44], [125, -10], [95, -6], [73, 0], [44, 12], [20, 30]]};
  // North America, drawn in an inset because it lies beyond the pole.
  var INSET = {type: 'MultiPoint', coordinates: [
    [-125, 48], [-124, 40], [-117, 32], [-97, 25], [-80, 25], [-67, 45], [-55, 52], [-62, 60],
    [-80, 72], [-120, 72], [-141, 69], [-141, 60]]};
  var INSET_IDS = {'840': true, '124': true};
  var INSET_BOX = {x: 8, y: H - 168, w: 230, h: 160};

  var atlas = null;
  function loadAtlas(url) {
    if (!atlas) {
      atlas = fetch(url).then(function (r) {
        if (!r.ok) { throw new Error('the atlas answered ' + r.status); }
        return r.json();
      }).then(function (topo) {
        return topojson.feature(topo, topo.objects.countries).features;
      });
    }
    return atlas;
  }

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  function drawMap(fig) {
    var data = JSON.parse(fig.querySelector('.map-data').textContent);
    var canvas = fig.querySelector('.map-canvas');
    loadAtlas(data.atlas).then(function (features) {
      performance.mark('atlas-ready');
      render(canvas, data, features);
      performance.mark('map-drawn');
    }).catch(function (err) {
      // The page words the message in its language (data-failed).
      canvas.textContent = fig.getAttribute('data-failed').replace('{error}', err.message);
    });
  }

  function render(canvas, data, features) {
    var byId = {};
    features.forEach(function (f) { (byId[f.id] = byId[f.id] || []).push(f); });
    var states = {};
    data.states.forEach(function (s) { states[s.id] = s; });
    var highlight = {};
    (data.highlight || []).forEach(function (c) { highlight[c] = true; });

    // precision(0) turns off adaptive resampling: the 50m atlas is dense
    // enough already, and resampling would double the drawing time.
    var main = d3.geoAzimuthalEqualArea().rotate([-54, -50]).clipAngle(120).precision(0)
      .fitExtent([[10, 10], [W - 10, H - 10]], EURASIA).clipExtent([[0, 0], [W, H]]);
    var b = INSET_BOX;
    var inset = d3.geoConicEqualArea().parallels([35, 65]).rotate([100, 0]).precision(0)
      .fitExtent([[b.x + 8, b.y + 20], [b.x + b.w - 8, b.y + b.h - 6]], INSET)
      .clipExtent([[b.x, b.y + 20], [b.x + b.w, b.y + b.h]]);

    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, class: 'map-svg', role: 'group', 'aria-label': data.label});
    if (data.highlight) { svg.classList.add('highlighting'); }
    el('rect', {width: W, height: H, class: 'sea'}, svg);
    el('path', {d: d3.geoPath(main)(d3.geoGraticule10()), class: 'graticule'}, svg);

    // Layers: context countries, then the states, then the inset on top.
    var context = el('g', {class: 'context', 'aria-hidden': 'true'}, svg);
    var layer = el('g', {class: 'states'}, svg);
    var insetG = el('g', {class: 'inset'});
    var stops = [];

    function drawState(s, proj, parent, focusable) {
      var path = d3.geoPath(proj);
      var g = el('g', {class: 'state', 'data-code': s.code}, parent);
      if (highlight[s.code]) { g.classList.add('hl'); }
      var area = 0, biggest = null, biggestArea = -1;
      (byId[s.id] || []).forEach(function (f) {
        var d = path(f);
        if (!d) { return; }
        el('path', {d: d, fill: s.colour}, g);
        var a = path.area(f);
        area += a;
        if (a > biggestArea) { biggestArea = a; biggest = f; }
      });
      var c = biggest ? path.centroid(biggest) : [NaN, NaN];
      // A state too small to see or to point at gets a marker too.
      if (focusable && area < 40 && isFinite(c[0])) {
        el('circle', {cx: c[0], cy: c[1], r: 4.5, fill: s.colour, class: 'marker'}, g);
      }
      if (focusable) {
        // One Tab stop for the whole map (see rove); the arrows move
        // between the states.
        g.setAttribute('tabindex', '-1');
        if (isFinite(c[0])) { stops.push({g: g, x: c[0], y: c[1], name: s.name.toLowerCase()}); }
        g.setAttribute('role', data.pick ? 'button' : data.link ? 'link' : 'img');
        if (data.link && !data.pick) { g.style.cursor = 'pointer'; }
        g.setAttribute('aria-label', s.label);
      } else {
        g.setAttribute('aria-hidden', 'true');
      }
      return g;
    }

    var mainPath = d3.geoPath(main);
    features.forEach(function (f) {
      if (states[f.id]) { return; }
      var d = mainPath(f);
      if (d) { el('path', {d: d}, context); }
    });
    data.states.forEach(function (s) {
      // North America appears in the main map (Alaska faces Chukotka) but
      // only the inset's copy takes focus, so each state is reached once.
      drawState(s, main, layer, !INSET_IDS[s.id]);
    });

    el('rect', {x: b.x, y: b.y, width: b.w, height: b.h, class: 'inset-box'}, insetG);
    var label = el('text', {x: b.x + 6, y: b.y + 14, class: 'inset-label'}, insetG);
    label.textContent = canvas.closest('[data-map]').getAttribute('data-inset-label');
    var insetPath = d3.geoPath(inset);
    var ctx = el('g', {class: 'context', 'aria-hidden': 'true'}, insetG);
    ['484', '304'].forEach(function (id) { // Mexico, Greenland: context
      (byId[id] || []).forEach(function (f) { var d = insetPath(f); if (d) { el('path', {d: d}, ctx); } });
    });
    data.states.forEach(function (s) { if (INSET_IDS[s.id]) { drawState(s, inset, insetG, true); } });
    svg.appendChild(insetG);

    var tip = document.createElement('div');
    tip.className = 'map-tip';
    tip.hidden = true;
    canvas.replaceChildren(svg, tip);
    wire(canvas, svg, tip, data);
    rove(svg, stops);
  }

  // The cone, either side of an arrow's direction, in which the next
  // state's centroid must lie: wide enough that every state has a
  // neighbour to reach, narrow enough that Right never goes north.
  var CONE = Math.PI / 3;
  var ARROWS = {ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]};

  // rove makes the map one Tab stop (a roving tabindex): the state last
  // focused keeps tabindex 0, the others -1, and the arrow keys move the
  // focus to the nearest state in their direction, by the states' drawn
  // centroids. Home and End go to the first and last state, and typing a
  // name's first letters goes to that state, so that a keyboard reaches
  // any of the 94 in a few keys rather than a hundred Tabs.
  function rove(svg, stops) {
    if (!stops.length) { return; }
    var current = stops[0];
    current.g.setAttribute('tabindex', '0');
    function move(to) {
      current.g.setAttribute('tabindex', '-1');
      current = to;
      to.g.setAttribute('tabindex', '0');
      to.g.focus();
    }
    function stopOf(g) {
      for (var i = 0; i < stops.length; i++) { if (stops[i].g === g) { return stops[i]; } }
      return null;
    }
    // A click or a script's focus() moves the Tab stop too.
    svg.addEventListener('focusin', function (e) {
      var s = stopOf(stateOf(e.target));
      if (s && s !== current) {
        current.g.setAttribute('tabindex', '-1');
        current = s;
        s.g.setAttribute('tabindex', '0');
      }
    });
    // nearest scores by distance, with the sideways offset counting
    // double, so that a state straight ahead beats a nearer one at the
    // cone's edge.
    function nearest(from, dir) {
      var best = null, bestScore = Infinity;
      stops.forEach(function (s) {
        var dx = s.x - from.x, dy = s.y - from.y;
        var along = dx * dir[0] + dy * dir[1];
        var side = Math.abs(dx * dir[1] - dy * dir[0]);
        if (s === from || along <= 0 || Math.atan2(side, along) > CONE) { return; }
        var score = Math.sqrt(dx * dx + dy * dy) + 2 * side;
        if (score < bestScore) { best = s; bestScore = score; }
      });
      return best;
    }
    var typed = '', typedAt = 0;
    svg.addEventListener('keydown', function (e) {
      var from = stopOf(stateOf(e.target));
      if (!from || e.altKey || e.ctrlKey || e.metaKey) { return; }
      var to = null;
      if (ARROWS[e.key]) {
        to = nearest(from, ARROWS[e.key]);
      } else if (e.key === 'Home') {
        to = stops[0];
      } else if (e.key === 'End') {
        to = stops[stops.length - 1];
      } else if (e.key.length === 1 && e.key !== ' ') {
        // Letters typed within a second of each other make one prefix.
        typed = (e.timeStamp - typedAt < 1000 ? typed : '') + e.key.toLowerCase();
        typedAt = e.timeStamp;
        to = stops.filter(function (s) { return s.name.indexOf(typed) === 0; })[0] || null;
      } else {
        return;
      }
      e.preventDefault();
      if (to) { move(to); }
    });
  }

  function stateOf(target) {
    return target && target.closest ? target.closest('g.state') : null;
  }

  function wire(canvas, svg, tip, data) {
    var labels = {};
    data.states.forEach(function (s) { labels[s.code] = s.label; });
    function show(g, x, y) {
      var r = canvas.getBoundingClientRect();
      tip.textContent = labels[g.getAttribute('data-code')];
      tip.hidden = false;
      var left = Math.min(x - r.left + 12, r.width - tip.offsetWidth - 4);
      tip.style.left = Math.max(0, left) + 'px';
      tip.style.top = Math.max(0, y - r.top - tip.offsetHeight - 10) + 'px';
    }
    svg.addEventListener('mousemove', function (e) {
      var g = stateOf(e.target);
      if (g) { show(g, e.clientX, e.clientY); } else { tip.hidden = true; }
    });
    svg.addEventListener('mouseleave', function () { tip.hidden = true; });
    svg.addEventListener('focusin', function (e) {
      var g = stateOf(e.target);
      if (!g) { return; }
      var bb = g.getBoundingClientRect();
      show(g, bb.left + bb.width / 2, bb.top + bb.height / 2);
    });
    svg.addEventListener('focusout', function () { tip.hidden = true; });
    if (data.link && !data.pick) { wireLinks(svg); }
    if (!data.pick) { return; }
    var form = document.querySelector('form.compose');
    if (form) {
      markPicked(svg, form);
      form.addEventListener('change', function () { markPicked(svg, form); });
    }
    svg.addEventListener('click', function (e) {
      var g = stateOf(e.target);
      if (g) { pick(g.getAttribute('data-code')); }
    });
    svg.addEventListener('keydown', function (e) {
      var g = stateOf(e.target);
      if (g && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        pick(g.getAttribute('data-code'));
      }
    });
  }

  // wireLinks makes each state a link to its page, /state/CODE: a click,
  // or Enter or Space on a focused state, opens it (in a new tab with Ctrl, Cmd or
  // the middle button, as a link would).
  function wireLinks(svg) {
    function open(g, newTab) {
      var url = '/state/' + encodeURIComponent(g.getAttribute('data-code'));
      if (newTab) { window.open(url, '_blank', 'noopener'); } else { window.location.assign(url); }
    }
    svg.addEventListener('click', function (e) {
      var g = stateOf(e.target);
      if (g) { open(g, e.ctrlKey || e.metaKey); }
    });
    svg.addEventListener('auxclick', function (e) {
      var g = stateOf(e.target);
      if (g && e.button === 1) { open(g, true); }
    });
    svg.addEventListener('keydown', function (e) {
      var g = stateOf(e.target);
      if (g && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        open(g, e.ctrlKey || e.metaKey);
      }
    });
  }

  // markPicked outlines the form's actor and host on the map.
  function markPicked(svg, form) {
    ['actor', 'host'].forEach(function (field) {
      svg.querySelectorAll('g.state.picked-' + field).forEach(function (g) { g.classList.remove('picked-' + field); });
      var v = form.elements[field].value;
      if (v) {
        svg.querySelectorAll('g.state[data-code="' + v + '"]').forEach(function (g) { g.classList.add('picked-' + field); });
      }
    });
  }

  // pick puts a state chosen on the map into the form's actor field, or
  // its host field, then moves on to the host.
  function pick(code) {
    var form = document.querySelector('form.compose');
    if (!form) { return; }
    var which = form.querySelector('input[name=pick]:checked');
    var field = which && which.value === 'host' ? 'host' : 'actor';
    var select = form.elements[field];
    select.value = code;
    select.dispatchEvent(new Event('change', {bubbles: true}));
    var status = form.querySelector('[data-pick-status]');
    // The radio button's label names the field in the page's language.
    var fieldLabel = form.querySelector('input[name=pick][value=' + field + ']').parentNode.textContent.trim();
    if (status) { status.textContent = fieldLabel + ': ' + select.options[select.selectedIndex].text; }
    if (field === 'actor') {
      var host = form.querySelector('input[name=pick][value=host]');
      if (host) { host.checked = true; }
    }
  }

  // The form shows only the fields of the chosen measure type; without
  // JavaScript it shows them all, and the server ignores the others.
  function enhanceForm(form) {
    var type = form.elements.type;
    function update() {
      form.querySelectorAll('[data-for]').forEach(function (f) {
        f.hidden = f.getAttribute('data-for').split(' ').indexOf(type.value) < 0;
      });
    }
    type.addEventListener('change', update);
    update();
    var p = form.querySelector('[data-pick]');
    if (p) { p.hidden = false; }
  }

  // The position form shows the statement fields only for the stances
  // that take them (a join needs both; an objection may give reasons),
  // unless they hold text or an error. Without JavaScript it shows them
  // all, and the forum service checks the combination.
  function enhancePosition(form) {
    var kind = form.elements.statement_kind.closest('.field');
    var text = form.elements.statement;
    function update() {
      var checked = form.querySelector('input[name=stance]:checked');
      var s = checked ? checked.value : '';
      kind.hidden = s !== 'join' && kind.querySelector('[aria-invalid]') === null;
      text.closest('.field').hidden = s !== 'join' && s !== 'object' && text.value === '' && !text.hasAttribute('aria-invalid');
    }
    form.addEventListener('change', update);
    update();
  }

  // On a phone a table scrolls sideways within itself (app.css), as a
  // long line of preformatted text does; while it does, it takes the
  // focus, so that the keyboard can scroll it too.
  function markScrolling() {
    document.querySelectorAll('table, figure.calendar, .table-scroll, pre').forEach(function (t) {
      var scrolls = t.scrollWidth > t.clientWidth + 1;
      if (scrolls && !t.hasAttribute('tabindex')) {
        t.setAttribute('tabindex', '0');
        t.setAttribute('data-scrolls', '');
      } else if (!scrolls && t.hasAttribute('data-scrolls')) {
        t.removeAttribute('tabindex');
        t.removeAttribute('data-scrolls');
      }
    });
  }
  var resizing = false;
  window.addEventListener('resize', function () {
    if (resizing) { return; }
    resizing = true;
    requestAnimationFrame(function () { resizing = false; markScrolling(); });
  });

  function init(root) {
    var scope = root.querySelectorAll ? root : document;
    var figs = scope.matches && scope.matches('[data-map]') ? [scope] : scope.querySelectorAll('[data-map]');
    figs.forEach(drawMap);
    var forms = scope.matches && scope.matches('form.compose') ? [scope] : scope.querySelectorAll('form.compose');
    forms.forEach(enhanceForm);
    var positions = scope.matches && scope.matches('#position-form') ? [scope] : scope.querySelectorAll('#position-form');
    positions.forEach(enhancePosition);
    markScrolling();
  }

  if (window.htmx) {
    htmx.onLoad(init); // the page itself, then every fragment htmx swaps in
  } else {
    init(document);
  }
})();
