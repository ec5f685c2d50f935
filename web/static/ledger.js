// Indivisible's log and signing code, on WebCrypto alone (no library):
// the Log page checks an entry's inclusion proof, its checkpoint's
// signature and, with witnesses, the policy's quorum of cosignatures
// (c2sp.org/tlog-cosignature); the Exchange page signs a declaration, and
// an agenda item's page a position, with an Ed25519 key file that never
// leaves the browser. The formats are those
// of golang.org/x/mod/sumdb/note and tlog (docs/exchange.md, "The log").
(function () {
  'use strict';

  var subtle = window.crypto && window.crypto.subtle;
  var utf8 = new TextEncoder();

  // The messages, in the page's language, are the server's catalog's
  // (web/templates/ledger-messages.html): the script holds no text of
  // its own.
  var messages = (function () {
    var el = document.getElementById('ledger-messages');
    return el ? JSON.parse(el.textContent) : {};
  })();
  // t renders the message key, filling its {name} placeholders from
  // args in one pass, so that a value holding braces stays as it is. A
  // key the page lacks shows as itself, as the server's lookup does.
  function t(key, args) {
    var s = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    return s.replace(/\{([a-z0-9_]+)\}/g, function (m, name) {
      return args && Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : m;
    });
  }

  function b64decode(s) {
    var bin = atob(s);
    var b = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { b[i] = bin.charCodeAt(i); }
    return b;
  }
  function b64encode(b) {
    var s = '';
    for (var i = 0; i < b.length; i++) { s += String.fromCharCode(b[i]); }
    return btoa(s);
  }
  function fromHex(h) {
    var b = new Uint8Array(h.length / 2);
    for (var i = 0; i < b.length; i++) { b[i] = parseInt(h.substr(2 * i, 2), 16); }
    return b;
  }
  function toHex(b) {
    return Array.from(b, function (x) { return x.toString(16).padStart(2, '0'); }).join('');
  }
  function concat() {
    var n = 0, i;
    for (i = 0; i < arguments.length; i++) { n += arguments[i].length; }
    var out = new Uint8Array(n), off = 0;
    for (i = 0; i < arguments.length; i++) { out.set(arguments[i], off); off += arguments[i].length; }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }
  async function sha256(b) { return new Uint8Array(await subtle.digest('SHA-256', b)); }

  function needCrypto() {
    if (!subtle) {
      throw new Error(t('ledger.no_crypto'));
    }
  }

  // splitKey splits a note key text "a+b+c..." into its first n-1 fields
  // and the rest (base64 may itself hold '+').
  function splitKey(text, n) {
    var f = [], rest = text.trim();
    for (var i = 0; i < n - 1; i++) {
      var j = rest.indexOf('+');
      if (j < 0) { return null; }
      f.push(rest.slice(0, j));
      rest = rest.slice(j + 1);
    }
    f.push(rest);
    return f;
  }

  // parseVerifierKey reads "name+hash+base64(0x01 || public key)".
  function parseVerifierKey(text) {
    var f = splitKey(text, 3);
    var key = f && /^[0-9a-f]{8}$/.test(f[1]) ? b64decode(f[2]) : null;
    if (!key || key.length !== 33 || key[0] !== 1) { throw new Error(t('ledger.not_verifier_key')); }
    return {name: f[0], hash: fromHex(f[1]), pub: key.slice(1)};
  }

  // parseSignerKey reads a key file of `indivisible keys new`:
  // "PRIVATE+KEY+name+hash+base64(0x01 || seed)".
  function parseSignerKey(text) {
    var f = splitKey(text, 5);
    var seed = null;
    try { seed = f && f[0] === 'PRIVATE' && f[1] === 'KEY' ? b64decode(f[4]) : null; } catch (e) { seed = null; }
    if (!seed || seed.length !== 33 || seed[0] !== 1) {
      throw new Error(t('ledger.not_signer_key'));
    }
    return {name: f[2], seed: seed.slice(1)};
  }

  // WebCrypto imports an Ed25519 private key as PKCS#8, not as a raw
  // seed: the RFC 8410 wrapping of a 32-byte seed is this fixed prefix.
  var PKCS8_ED25519 = fromHex('302e020100300506032b657004220420');

  async function sign(seed, message) {
    needCrypto();
    var key = await subtle.importKey('pkcs8', concat(PKCS8_ED25519, seed), {name: 'Ed25519'}, false, ['sign']);
    return new Uint8Array(await subtle.sign({name: 'Ed25519'}, key, message));
  }

  // parseNote splits a signed note into its text (which the signatures
  // cover, final newline included) and its signature lines
  // "— name base64(key hash (4 bytes) || signature)".
  function parseNote(note) {
    var i = note.indexOf('\n\n');
    if (i < 0) { throw new Error(t('ledger.not_note')); }
    var sigs = note.slice(i + 2).split('\n').filter(function (l) { return l !== ''; }).map(function (l) {
      var m = /^\u2014 (\S+) (\S+)$/.exec(l);
      if (!m) { throw new Error(t('ledger.bad_signature_line', {line: l})); }
      var b = b64decode(m[2]);
      return {name: m[1], hash: b.slice(0, 4), sig: b.slice(4)};
    });
    return {text: note.slice(0, i + 1), sigs: sigs};
  }

  // parseProof reads a C2SP tlog-proof: header, optional "extra" lines,
  // "index N", the hashes from the leaf up, an empty line, the checkpoint.
  function parseProof(text) {
    var i = text.indexOf('\n\n');
    if (i < 0) { throw new Error(t('ledger.proof_no_checkpoint')); }
    var lines = text.slice(0, i).split('\n');
    if (lines[0] !== 'c2sp.org/tlog-proof@v1') { throw new Error(t('ledger.not_tlog_proof')); }
    var k = 1;
    while (k < lines.length && lines[k].startsWith('extra ')) { k++; }
    var m = /^index (\d+)$/.exec(lines[k] || '');
    if (!m) { throw new Error(t('ledger.proof_no_index')); }
    var note = text.slice(i + 2);
    var body = parseNote(note).text.split('\n');
    return {
      index: BigInt(m[1]),
      hashes: lines.slice(k + 1).map(b64decode),
      note: note,
      origin: body[0],
      size: BigInt(body[1]),
      root: b64decode(body[2])
    };
  }

  // rootFromProof folds an RFC 6962 inclusion proof from the leaf hash up
  // (RFC 9162 §2.1.3.2; the same tree tlog.CheckRecord checks).
  async function rootFromProof(index, size, leaf, hashes) {
    if (index >= size) { throw new Error(t('ledger.beyond_tree', {index: index, size: size})); }
    var fn = index, sn = size - 1n, r = leaf;
    for (var i = 0; i < hashes.length; i++) {
      var p = hashes[i];
      if (sn === 0n) { throw new Error(t('ledger.proof_too_long')); }
      if ((fn & 1n) === 1n || fn === sn) {
        r = await sha256(concat([1], p, r));
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
        }
      } else {
        r = await sha256(concat([1], r, p));
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) { throw new Error(t('ledger.proof_too_short')); }
    return r;
  }

  // verifyNote checks a note's signature by the holder of key (a
  // verifier key text) and returns the key's name.
  async function verifyNote(note, keyText) {
    var key = parseVerifierKey(keyText);
    var n = parseNote(note);
    // The key hash is the first 4 bytes of SHA-256(name "\n" 0x01 key).
    var want = (await sha256(concat(utf8.encode(key.name + '\n'), [1], key.pub))).slice(0, 4);
    if (!equal(want, key.hash)) { throw new Error(t('ledger.key_hash_mismatch')); }
    var s = n.sigs.find(function (x) { return x.name === key.name && equal(x.hash, key.hash); });
    if (!s) { throw new Error(t('ledger.no_signature_by', {key: key.name})); }
    var pub = await subtle.importKey('raw', key.pub, {name: 'Ed25519'}, false, ['verify']);
    if (!await subtle.verify({name: 'Ed25519'}, pub, s.sig, utf8.encode(n.text))) {
      throw new Error(t('ledger.signature_fails', {key: key.name}));
    }
    return key.name;
  }

  // parseCosignerKey reads a witness's cosignature/v1 verifier key
  // "name+hash+base64(0x04 || public key)" (c2sp.org/tlog-cosignature),
  // checking that the hash is the first 4 bytes of
  // SHA-256(name "\n" 0x04 key).
  async function parseCosignerKey(text) {
    var f = splitKey(text, 3), key = null;
    try { key = f && /^[0-9a-f]{8}$/.test(f[1]) ? b64decode(f[2]) : null; } catch (e) { key = null; }
    if (!key || key.length !== 33 || key[0] !== 4) { return null; }
    var k = {name: f[0], hash: fromHex(f[1]), pub: key.slice(1)};
    var want = (await sha256(concat(utf8.encode(k.name + '\n'), [4], k.pub))).slice(0, 4);
    return equal(want, k.hash) ? k : null;
  }

  // checkCosignatures checks the note's signature lines by the policy's
  // witnesses. A cosignature/v1 line is base64(key hash (4 bytes) ||
  // timestamp (8 bytes, big-endian) || Ed25519 signature) over
  // "cosignature/v1\ntime <timestamp>\n" and the checkpoint text. It
  // returns the witnesses with a valid cosignature (policy name -> time)
  // and the lines by a policy key that do not verify, which are ignored,
  // as cosign.Policy.Verify ignores them.
  async function checkCosignatures(n, spec) {
    var valid = {}, invalid = [];
    for (var i = 0; i < spec.witnesses.length; i++) {
      var w = spec.witnesses[i];
      var key = await parseCosignerKey(w.key);
      if (!key) { throw new Error(t('ledger.witness_key_invalid', {witness: w.name})); }
      var pub = null;
      for (var j = 0; j < n.sigs.length; j++) {
        var s = n.sigs[j];
        if (s.name !== key.name || !equal(s.hash, key.hash)) { continue; }
        var ok = false, ts = 0n;
        if (s.sig.length === 8 + 64) {
          ts = new DataView(s.sig.buffer, s.sig.byteOffset, 8).getBigUint64(0, false);
          pub = pub || await subtle.importKey('raw', key.pub, {name: 'Ed25519'}, false, ['verify']);
          ok = await subtle.verify({name: 'Ed25519'}, pub, s.sig.slice(8), utf8.encode('cosignature/v1\ntime ' + ts + '\n' + n.text));
        }
        if (ok && !(w.name in valid)) {
          valid[w.name] = {key: key.name, time: ts};
        } else if (!ok) {
          invalid.push(w.name + ' (' + key.name + ')');
        }
      }
    }
    return {valid: valid, invalid: invalid};
  }

  // quorum evaluates the policy (cosign.Spec) as cosign.Policy.Satisfied
  // does: a witness is satisfied by a valid cosignature, a group by at
  // least k of its members. It returns the quorum's witnesses without a
  // valid cosignature, in the policy's order, or null when it holds.
  function quorum(spec, valid) {
    if (spec.quorum === 'none') { return null; }
    var isWitness = {};
    spec.witnesses.forEach(function (w) { isWitness[w.name] = true; });
    function group(name) {
      var g = spec.groups && spec.groups[name];
      if (!g) { throw new Error(t('ledger.no_group', {name: name})); }
      return g;
    }
    function satisfied(name, depth) {
      if (isWitness[name]) { return name in valid; }
      if (depth > 64) { throw new Error(t('ledger.groups_too_deep')); }
      var g = group(name);
      return g.members.filter(function (m) { return satisfied(m, depth + 1); }).length >= g.k;
    }
    if (satisfied(spec.quorum, 0)) { return null; }
    var leaves = {};
    (function walk(name) {
      if (isWitness[name]) { leaves[name] = true; return; }
      group(name).members.forEach(walk);
    })(spec.quorum);
    return spec.witnesses.map(function (w) { return w.name; }).filter(function (name) { return leaves[name] && !(name in valid); });
  }

  async function verifyEntry(box) {
    var status = box.querySelector('#verify-status');
    var steps = box.querySelector('#verify-steps');
    function step(text) {
      var li = document.createElement('li');
      li.textContent = text;
      steps.appendChild(li);
    }
    try {
      needCrypto();
      var data = JSON.parse(box.querySelector('.proof-data').textContent);
      var proof = parseProof(data.proof);
      if (proof.index !== BigInt(data.index)) { throw new Error(t('ledger.wrong_entry', {index: proof.index})); }
      var leaf = await sha256(concat([0], b64decode(data.record)));
      step(t('ledger.step.leaf', {hash: toHex(leaf)}));
      var root = await rootFromProof(proof.index, proof.size, leaf, proof.hashes);
      step(t('ledger.step.root', {n: proof.hashes.length, hash: toHex(root)}));
      if (!equal(root, proof.root)) { throw new Error(t('ledger.other_root', {root: toHex(proof.root)})); }
      step(t('ledger.step.root_equals', {size: proof.size}));
      var res = await fetch(data.key_url, {cache: 'no-cache'});
      if (!res.ok) { throw new Error(t('ledger.key_fetch_failed', {url: data.key_url, status: res.status})); }
      var name = await verifyNote(proof.note, await res.text());
      step(t('ledger.step.signed', {key: name}));
      var verified = t('ledger.verified', {index: proof.index, size: proof.size, key: name});
      if (data.policy) {
        var spec = data.policy;
        var cs = await checkCosignatures(parseNote(proof.note), spec);
        var names = spec.witnesses.map(function (w) { return w.name; }).filter(function (w) { return w in cs.valid; });
        names.forEach(function (w) {
          var c = cs.valid[w];
          step(t('ledger.step.cosigned', {witness: w, key: c.key, time: new Date(Number(c.time) * 1000).toISOString().replace('.000Z', 'Z')}));
        });
        cs.invalid.forEach(function (w) { step(t('ledger.step.ignored', {witness: w})); });
        var missing = quorum(spec, cs.valid);
        if (missing) {
          throw new Error(t('ledger.quorum_short', {n: names.length, policy: spec.describe, missing: missing.join(', ')}));
        }
        step(spec.quorum === 'none' ? t('ledger.step.no_cosignature_required') : t('ledger.step.quorum_met', {policy: spec.describe}));
        if (names.length > 0) {
          verified = t('ledger.verified_cosigned', {index: proof.index, size: proof.size, key: name, witnesses: names.join(', '), policy: spec.describe});
        }
      }
      status.textContent = verified;
      status.className = 'verify-status verified';
      performance.mark('entry-verified');
    } catch (err) {
      status.textContent = t('ledger.not_verified', {message: err.message});
      status.className = 'verify-status failed';
    }
  }

  // keyParticipant is the participant a key belongs to: its name's prefix
  // before the first '-', as `indivisible keys new` names keys
  // (PARTICIPANT-XXXXXXXX, ledger.NewKey).
  function keyParticipant(name) {
    var i = name.indexOf('-');
    return i < 0 ? name : name.slice(0, i);
  }

  // statementMessages are checkKeyOwner's messages for each kind of
  // statement: whole sentences, since a language inflects the noun
  // differently in each.
  var statementMessages = {
    declaration: {notJSON: 'ledger.declaration.not_json', noParticipant: 'ledger.declaration.no_participant', otherAccount: 'ledger.declaration.other_account', wrongKey: 'ledger.declaration.wrong_key'},
    position: {notJSON: 'ledger.position.not_json', noParticipant: 'ledger.position.no_participant', otherAccount: 'ledger.position.other_account', wrongKey: 'ledger.position.wrong_key'}
  };

  // checkKeyOwner refuses, before anything is signed, a key of another
  // participant than the statement's (a declaration, or a position), or a
  // statement for another participant than the signed-in delegation (the
  // server would refuse either on filing). what names the statement: a
  // key of statementMessages.
  function checkKeyOwner(keyName, msg, account, what) {
    var decl, m = statementMessages[what];
    try { decl = JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(msg)); } catch (e) {
      throw new Error(t(m.notJSON, {error: e.message}));
    }
    var p = decl && typeof decl === 'object' && typeof decl.participant === 'string' ? decl.participant : '';
    if (p === '') { throw new Error(t(m.noParticipant)); }
    if (account && p !== account) {
      throw new Error(t(m.otherAccount, {participant: p, account: account}));
    }
    var owner = keyParticipant(keyName);
    if (owner !== p) {
      throw new Error(t(m.wrongKey, {key: keyName, owner: owner, participant: p}));
    }
  }

  // enhanceFiling signs the declaration about to be sent, from a key file
  // read here and never uploaded (its input has no name), and fills the
  // detached-signature field as declare -sign-only prints it. A key file
  // of another participant is refused before signing (checkKeyOwner).
  function enhanceFiling(form) {
    var box = form.querySelector('[data-browser-sign]');
    var text = form.elements.declaration, file = form.elements.declaration_file;
    var sigField = form.elements.signature, keyFile = form.querySelector('#f-keyfile');
    var status = form.querySelector('#sign-status');
    var signed = null; // the signature this script wrote
    box.hidden = false;
    function say(msg, cls) { status.textContent = msg; status.className = 'sign-status ' + (cls || ''); }
    // The bytes the server will take: the chosen file, else the text box.
    async function message() {
      if (file.files.length > 0 && file.files[0].size > 0) { return new Uint8Array(await file.files[0].arrayBuffer()); }
      return utf8.encode(text.value);
    }
    function stale() {
      if (signed !== null && sigField.value === signed) {
        sigField.value = '';
        signed = null;
        say(t('ledger.sign.stale'), 'bad');
      }
    }
    text.addEventListener('input', stale);
    file.addEventListener('change', stale);
    form.querySelector('#sign-button').addEventListener('click', async function () {
      try {
        if (keyFile.files.length === 0) { throw new Error(t('ledger.sign.no_key_file')); }
        var key = parseSignerKey(await keyFile.files[0].text());
        var msg = await message();
        if (msg.length === 0) { throw new Error(t('ledger.sign.nothing')); }
        checkKeyOwner(key.name, msg, form.dataset.participant, 'declaration');
        var sig = await sign(key.seed, msg);
        signed = key.name + ' ' + b64encode(sig);
        sigField.value = signed;
        say(t('ledger.sign.signed', {n: msg.length, key: key.name}), 'ok');
      } catch (err) {
        say(t('ledger.sign.not_signed', {message: err.message}), 'bad');
      }
    });
  }

  // enhancePosition signs a position with the delegation's key file, read
  // here and never uploaded (its input has no name). The bytes signed are
  // the server's: the form is first posted to its body URL, which answers
  // with the exact forum.PositionBody the service will parse, so that
  // nothing here builds JSON. Once signed, the form is sent with the
  // body, the key's name and the signature (base64, as the API's
  // "signed" has them). Without a key file, or without this script, the
  // form is sent as it is, and the forum service attests the position.
  function enhancePosition(form) {
    var box = form.querySelector('[data-sign-position]');
    var keyFile = form.querySelector('#f-position-key');
    var status = form.querySelector('#position-sign-status');
    var f = form.elements;
    box.hidden = false;
    function say(msg, cls) { status.textContent = msg; status.className = 'sign-status ' + (cls || ''); }
    function clear() { f.signed_body.value = ''; f.signed_key.value = ''; f.signed_signature.value = ''; }
    clear(); // a page restored from the history keeps no stale signature
    form.addEventListener('submit', async function (e) {
      if (keyFile.files.length === 0 || f.signed_signature.value !== '') { return; }
      e.preventDefault();
      var button = form.querySelector('#position-button');
      button.disabled = true;
      try {
        clear();
        var key = parseSignerKey(await keyFile.files[0].text());
        var res = await fetch(form.dataset.bodyUrl, {method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin', cache: 'no-store'});
        if (!res.ok) { throw new Error((await res.text()).trim() || t('ledger.position.server_answered', {status: res.status})); }
        var body = new Uint8Array(await res.arrayBuffer());
        // Before signing: the body is the signed-in delegation's, and the
        // key is of that delegation.
        checkKeyOwner(key.name, body, form.dataset.participant, 'position');
        var sig = await sign(key.seed, body);
        f.signed_body.value = b64encode(body);
        f.signed_key.value = key.name;
        f.signed_signature.value = b64encode(sig);
        say(t('ledger.position.signed', {n: body.length, key: key.name}), 'ok');
        form.submit();
      } catch (err) {
        clear();
        say(t('ledger.position.not_sent', {message: err.message}), 'bad');
        button.disabled = false;
      }
    });
  }

  document.querySelectorAll('[data-verify]').forEach(verifyEntry);
  document.querySelectorAll('form[data-filing]').forEach(enhanceFiling);
  document.querySelectorAll('form#position-form[data-body-url]').forEach(enhancePosition);
})();
