/// The `Stats` backend (a Pounce extension): one self-contained HTML page that
/// polls the control interface and steers it. The page lives wherever the
/// service routes it; below that path
///   - `<page>?json` is the control API's `GET /` (the whole tree),
///   - `<page>/api/<control path>` is the control API itself (GET/PUT/DELETE),
/// so the page never needs to know the service's URL pattern: it derives both
/// from its own `location`. Nothing external is loaded (no CDN, no fonts), so it
/// works on an isolated management network.
enum StatusPage {
    enum Route: Equatable {
        /// The HTML page itself.
        case page
        /// A request for the control router: this method and URI.
        case api(String)
    }

    /// Splits a request URI into the page or the control URI it stands for.
    static func route(uri: String) -> Route {
        let bytes = Array(uri.utf8)
        let queryStart = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
        let path = bytes[..<queryStart]
        let query = queryStart < bytes.count ? bytes[(queryStart + 1)...] : []
        let marker = Array("/api".utf8)
        var i = path.startIndex
        while i + marker.count <= path.endIndex {
            if path[i..<(i + marker.count)].elementsEqual(marker) {
                let after = i + marker.count
                if after == path.endIndex || path[after] == UInt8(ascii: "/") {
                    var rest = String(decoding: bytes[after...], as: UTF8.self)
                    // The router wants at least "/" before any query.
                    if rest.isEmpty || rest.hasPrefix("?") { rest = "/" + rest }
                    return .api(rest)
                }
            }
            i += 1
        }
        if query.split(separator: UInt8(ascii: "&")).contains(where: { $0.elementsEqual("json".utf8) }) {
            return .api("/")
        }
        return .page
    }

    static let html = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pounce status</title>
<style>
:root { --ok:#1f8a4c; --bad:#c0392b; --off:#8a8f98; --bg:#f5f6f8; --card:#fff; --line:#e2e5ea; --ink:#1d2330; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; align-items:baseline; gap:1.5em; padding:14px 24px; background:#1d2330; color:#fff; }
header h1 { margin:0; font-size:20px; font-weight:600; }
header .meta { font-size:13px; opacity:.8; }
#state { margin-left:auto; font-size:13px; }
#state.err { color:#ff9b8f; }
main { padding:16px 24px; }
section.listener { background:var(--card); border:1px solid var(--line); border-radius:8px; margin-bottom:16px; }
section.listener > h2 { margin:0; padding:10px 14px; font-size:15px; border-bottom:1px solid var(--line); }
.service { padding:8px 14px 12px; }
.service h3 { margin:6px 0; font-size:14px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); }
th { font-size:12px; text-transform:uppercase; letter-spacing:.03em; color:#5b6270; font-weight:600; }
tr:last-child td { border-bottom:none; }
.pill { display:inline-block; min-width:4.5em; text-align:center; padding:1px 8px; border-radius:10px; color:#fff; font-size:12px; }
.up { background:var(--ok); } .down { background:var(--bad); } .off { background:var(--off); }
button { font:inherit; font-size:12px; padding:3px 10px; border-radius:5px; border:1px solid #b9bfc9; background:#fff; cursor:pointer; }
button:hover { background:#eef0f3; }
.muted { color:#8a8f98; }
</style>
</head>
<body>
<header><h1>Pounce status</h1><span class="meta" id="meta"></span><span id="state">loading…</span></header>
<main id="root"></main>
<script>
"use strict";
// The page's own path is the base for its JSON and its API (see StatusPage.swift).
var base = location.pathname.replace(/\/+$/, "");
var apiBase = base + "/api";

function el(tag, attrs, children) {
  var e = document.createElement(tag);
  if (attrs) for (var k in attrs) {
    if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
  }
  (children || []).forEach(function (c) { if (c) e.appendChild(c); });
  return e;
}
function pill(cls, text) { return el("span", {"class": "pill " + cls, text: text}); }

function sessionCounts(service) {
  var counts = {};
  (service.sessions || []).forEach(function (s) { counts[s.backend] = (counts[s.backend] || 0) + 1; });
  return counts;
}

function backendName(b) {
  if (b.type === "matrix") return b.hostname + " (Resolve " + b.resolve_mode + ")";
  return b.address || b.url || b.type || "backend";
}

// A matrix stands for the backends DNS gives it; they name it as their parent.
function backendType(b) {
  if (b.parent !== undefined) return "dynamic, from #" + b.parent;
  return b.type || "";
}

function alivePill(b) {
  if (b.type === "matrix") return pill("off", b.expire ? "next lookup " + b.expire.slice(11, 19) : "DNS");
  return b.alive ? pill("up", "alive") : pill("down", "dead");
}

function toggle(path, enable) {
  fetch(apiBase + path, {method: enable ? "PUT" : "DELETE"})
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return refresh(); })
    .catch(function (e) { setState("change failed: " + e.message, true); });
}

function serviceBlock(service, path) {
  var counts = sessionCounts(service);
  var rows = (service.backends || []).map(function (b, i) {
    var bpath = path + "/" + i;
    var steerable = b.type !== "control" && b.type !== "stats";
    var button = steerable
      ? el("button", {"data-path": bpath, text: b.enabled ? "Disable" : "Enable"})
      : el("span", {"class": "muted", text: "—"});
    if (steerable) button.onclick = function () { toggle(bpath, !b.enabled); };
    return el("tr", {"class": "backend", "data-path": bpath}, [
      el("td", {text: String(i)}),
      el("td", {text: backendName(b)}),
      el("td", {text: backendType(b)}),
      el("td", null, [alivePill(b)]),
      el("td", null, [b.enabled ? pill("up", "enabled") : pill("off", "disabled")]),
      el("td", {text: String(b.priority)}),
      el("td", {text: String(counts[i] || 0)}),
      el("td", {text: b.stats ? String(b.stats.request_count) : "—"}),
      el("td", {text: b.stats && b.stats.request_time_avg !== undefined
        ? (b.stats.request_time_avg / 1e6).toFixed(2) + " ms" : "—"}),
      el("td", null, [button])
    ]);
  });
  // Requests and latency come with `BackendStats on` (the control API's `stats`).
  var head = el("tr", null, ["#", "Backend", "Type", "Alive", "State", "Weight", "Sessions", "Requests",
                             "Latency", ""].map(function (h) {
    return el("th", {text: h});
  }));
  var title = (service.name || "(unnamed)") + (service.enabled ? "" : " — disabled") +
    (service.session_type && service.session_type !== "NONE" ? " · sessions: " + service.session_type : "");
  return el("div", {"class": "service"}, [
    el("h3", {text: "Service " + title}),
    el("table", null, [el("thead", null, [head]), el("tbody", null, rows)])
  ]);
}

// VRRP instances (a Pounce extension): who holds the floating addresses, at what priority.
function vrrpBlock(list) {
  var cls = {MASTER: "up", BACKUP: "off", FAULT: "down", INIT: "off"};
  var rows = list.map(function (v) {
    return el("tr", {"class": "vrrp"}, [
      el("td", {text: v.name}),
      el("td", {text: v["interface"] + " · VRID " + v.vrid + " · v" + v.version}),
      el("td", null, [pill(cls[v.state] || "off", v.state)]),
      el("td", {text: v.priority + (v.priority !== v.base_priority ? " (base " + v.base_priority + ")" : "")}),
      el("td", {text: v.master || "—"}),
      el("td", {text: (v.addresses || []).join(", ") + (v.holds_addresses ? " · held here" : "")}),
      el("td", {text: v.adverts_sent + " / " + v.adverts_received + " / " + v.discarded}),
      el("td", {text: v.last_transition})
    ]);
  });
  var head = el("tr", null, ["Instance", "Router", "State", "Priority", "Master", "Addresses",
                             "Adverts sent / received / discarded", "Since"].map(function (h) {
    return el("th", {text: h});
  }));
  return el("section", {"class": "listener"}, [el("h2", {text: "VRRP"}),
    el("div", {"class": "service"}, [el("table", null, [el("thead", null, [head]), el("tbody", null, rows)])])]);
}

// AutoCert certificates (a Pounce extension): what is served and when it is renewed.
function certificatesBlock(list) {
  var cls = {valid: "up", renewing: "off", placeholder: "off", failing: "down"};
  var when = function (t) { return t == null ? "—" : new Date(t * 1000).toISOString().replace(".000", ""); };
  var rows = list.map(function (c) {
    return el("tr", {"class": "certificate"}, [
      el("td", {text: c.name}),
      el("td", {text: (c.names || []).join(", ")}),
      el("td", null, [pill(cls[c.state] || "off", c.state)]),
      el("td", {text: when(c.expires_epoch)}),
      el("td", {text: when(c.next_attempt_epoch)}),
      el("td", {text: c.last_error ? c.last_error + " (" + c.failures + " in a row)" : "—"})
    ]);
  });
  var head = el("tr", null, ["Certificate", "Names", "State", "Expires", "Next renewal", "Last error"].map(function (h) {
    return el("th", {text: h});
  }));
  return el("section", {"class": "listener"}, [el("h2", {text: "Certificates"}),
    el("div", {"class": "service"}, [el("table", null, [el("thead", null, [head]), el("tbody", null, rows)])])]);
}

function render(data) {
  var root = document.getElementById("root");
  var parts = [];
  if ((data.vrrp || []).length) parts.push(vrrpBlock(data.vrrp));
  if ((data.certificates || []).length) parts.push(certificatesBlock(data.certificates));
  (data.listeners || []).forEach(function (l, li) {
    var title = "Listener " + li + (l.name ? " “" + l.name + "”" : "") + " · " + l.protocol + " " + l.address +
      (l.enabled ? "" : " · disabled");
    parts.push(el("section", {"class": "listener"}, [el("h2", {text: title})].concat(
      (l.services || []).map(function (s, si) { return serviceBlock(s, "/listener/" + li + "/" + si); }))));
  });
  if ((data.services || []).length) {
    parts.push(el("section", {"class": "listener"}, [el("h2", {text: "Global services"})].concat(
      data.services.map(function (s, si) { return serviceBlock(s, "/service/" + si); }))));
  }
  root.replaceChildren.apply(root, parts);
  var core = data.core || {};
  document.getElementById("meta").textContent = "version " + core.version + " · pid " + core.pid +
    " · up " + Math.round((core.uptime || 0) / 1e6) + " s" +
    (core.supervised ? " · generation " + core.supervised.generation + " since " + core.supervised.started : "");
}

function setState(text, error) {
  var s = document.getElementById("state");
  s.textContent = text;
  s.className = error ? "err" : "";
}

function refresh() {
  return fetch(base + "?json", {cache: "no-store"})
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (data) { render(data); setState("updated " + new Date().toLocaleTimeString(), false); })
    .catch(function (e) { setState("update failed: " + e.message, true); });
}

refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
"""#
}
