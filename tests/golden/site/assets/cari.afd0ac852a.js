// Search on cari/: fills the page's form in from the Pagefind index that the build writes
// to pagefind/. Without this script (or opened from disk, where browsers refuse to fetch
// the index) the page stays a plain message with links to browse by.
//
// Written against Pagefind's JavaScript API rather than loading its ready-made UI
// (pagefind-ui.js): the form and every string are the page's own, in the school's
// language from Mading's catalogue; the filters are ordinary <select>s that work on a
// phone; and a student downloads ~6 KB of script here instead of ~135 KB of UI.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form) return;
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var more = document.querySelector(".search-more");
  var browse = document.querySelector(".search-browse");
  var fallback = document.querySelector(".search-fallback");
  var FILTERS = ["mapel", "guru", "kelas"];
  var PAGE = 10;

  function unavailable(reason) {
    fallback.querySelector(".no-js").hidden = true;
    fallback.querySelector(reason).hidden = false;
  }

  if (location.protocol !== "http:" && location.protocol !== "https:") {
    unavailable(".from-disk");
    return;
  }
  var bundle = new URL(form.getAttribute("data-bundle"), document.baseURI).href;
  // A large site's index comes in parts (generator/search.py): the others are merged in.
  var parts = form.getAttribute("data-merge").split(" ").filter(Boolean).map(function (path) {
    return new URL(path, document.baseURI).href;
  });
  // Pagefind (some 90 KB with its index's first files) is loaded on the first focus or
  // keystroke in the form, not with the page: a student who only looks costs nothing
  // more (issue 27). A shared address with a search in it loads it at once.
  var loading = null;
  function load() {
    if (!loading) {
      loading = import(bundle).then(function (pagefind) {
        return parts.reduce(function (merged, part) {
          return merged.then(function () { return pagefind.mergeIndex(part); });
        }, Promise.resolve()).then(function () {
          return pagefind.init();
        }).then(function () { return pagefind; });
      });
      loading.catch(function () {
        form.hidden = true;
        fallback.hidden = false;
        unavailable(".no-index");
      });
    }
    return loading;
  }
  form.addEventListener("focusin", load);
  form.addEventListener("keydown", load);
  start();

  function start() {
    var current = 0;
    var results = [];
    var shown = 0;
    var timer = 0;

    function field(name) { return form.elements.namedItem(name); }

    function say(text) { status.textContent = text; }

    function chosen() {
      var filters = {};
      FILTERS.forEach(function (key) {
        var select = field(key);
        if (select && select.value) filters[key] = select.value;
      });
      return filters;
    }

    function remember(term, filters) {
      var params = new URLSearchParams();
      if (term) params.set("q", term);
      Object.keys(filters).forEach(function (key) { params.set(key, filters[key]); });
      var address = new URL(location.href);
      address.search = params.toString();
      history.replaceState(null, "", address.href);
    }

    // Pagefind marks the words found with <mark>; everything else is kept as text.
    function excerpt(html) {
      var paragraph = document.createElement("p");
      paragraph.className = "summary";
      var parsed = new DOMParser().parseFromString(html, "text/html").body.childNodes;
      Array.prototype.forEach.call(parsed, function (node) {
        if (node.nodeName === "MARK") {
          var mark = document.createElement("mark");
          mark.textContent = node.textContent;
          paragraph.appendChild(mark);
        } else {
          paragraph.appendChild(document.createTextNode(node.textContent));
        }
      });
      return paragraph;
    }

    function item(data) {
      var li = document.createElement("li");
      li.className = "card";
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = data.meta.title || data.url;
      heading.appendChild(link);
      li.appendChild(heading);
      var filters = data.filters || {};
      var facts = [].concat(filters.guru || [], data.meta.tanggal || [], filters.mapel || [],
                            filters.kelas || []);
      if (facts.length) {
        var meta = document.createElement("p");
        meta.className = "meta";
        meta.textContent = facts.join(" · ");
        li.appendChild(meta);
      }
      li.appendChild(excerpt(data.excerpt || ""));
      return li;
    }

    function showMore(search) {
      var page = results.slice(shown, shown + PAGE);
      shown += page.length;
      return Promise.all(page.map(function (result) { return result.data(); }))
        .then(function (found) {
          if (search !== current) return;
          found.forEach(function (data) { list.appendChild(item(data)); });
          list.hidden = results.length === 0;
          more.hidden = shown >= results.length;
        });
    }

    function showListings() {
      FILTERS.forEach(function (key) {
        var select = field(key);
        if (!select || !select.value) return;
        var option = select.options[select.selectedIndex];
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = option.getAttribute("data-listing");
        link.textContent = option.textContent;
        li.appendChild(link);
        browse.appendChild(li);
      });
      browse.hidden = false;
    }

    function run() {
      var search = ++current;
      var term = field("q").value.trim();
      var filters = chosen();
      remember(term, filters);
      list.textContent = "";
      list.hidden = true;
      more.hidden = true;
      browse.textContent = "";
      browse.hidden = true;
      if (!term && Object.keys(filters).length === 0) {
        say("");
        return Promise.resolve();
      }
      // Filters alone make Pagefind load every word of the index: tens of MB for a site
      // in parts. There the listing pages of the chosen values are offered instead.
      if (!term && parts.length) {
        say(browse.getAttribute("data-message"));
        showListings();
        return Promise.resolve();
      }
      say(status.getAttribute("data-searching"));
      // With filters alone, every post they match, newest first.
      var options = term ? { filters: filters } : { filters: filters, sort: { tanggal: "desc" } };
      return load().then(function (pagefind) {
        return pagefind.search(term || null, options);
      }).then(function (found) {
        if (search !== current) return;
        results = found.results;
        shown = 0;
        return showMore(search).then(function () {
          if (search !== current) return;
          // Announced once the results are on the page (the status is a live region).
          say(results.length
            ? status.getAttribute("data-results").replace("{count}", String(results.length))
            : status.getAttribute("data-none"));
        });
      }).catch(function () {
        say("");
        form.hidden = true;
        fallback.hidden = false;
        unavailable(".no-index");
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run();
    });
    field("q").addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    FILTERS.forEach(function (key) {
      var select = field(key);
      if (select) select.addEventListener("change", run);
    });
    more.addEventListener("click", function () { showMore(current); });

    // A shared address (cari/index.html?q=...&mapel=...) opens with its search done.
    var params = new URLSearchParams(location.search);
    field("q").value = params.get("q") || "";
    FILTERS.forEach(function (key) {
      var select = field(key);
      if (select && params.get(key)) {
        select.value = params.get(key);
        if (select.value !== params.get(key)) select.value = "";
      }
    });
    fallback.hidden = true;
    form.hidden = false;
    if (field("q").value || Object.keys(chosen()).length) run();
  }
})();
