/* eccpsite: two small enhancements; every page works without them.
 *
 * 1. Call statuses. The build writes each call's status as it was at build time, and
 *    the moments it changes in data-timeline (ISO 8601, computed by the build in
 *    Python). If a deadline has passed since the build, the badge shows the status
 *    of now, until the next build (next-change.txt tells the scheduler when).
 * 2. Today in the month view: the day of "now" in the site's time zone is marked
 *    (class month-today, aria-current="date"), since the build cannot know when it is read.
 * 3. Event filters. When a calendar page shows all its events at once, a form lets
 *    readers combine country, topic and attendance without loading another page.
 */
(function () {
  "use strict";

  var WORD_CLASSES = ["forthcoming", "open", "closing-soon", "closed"];

  function updateStatuses(now) {
    var badges = document.querySelectorAll("[data-timeline]");
    Array.prototype.forEach.call(badges, function (badge) {
      var timeline;
      try {
        timeline = JSON.parse(badge.getAttribute("data-timeline"));
      } catch (e) {
        return;
      }
      var current = null;
      timeline.forEach(function (change) {
        if (Date.parse(change[0]) <= now) {
          current = change;
        }
      });
      if (current === null || badge.classList.contains("badge-" + current[1])) {
        return;
      }
      WORD_CLASSES.forEach(function (key) {
        badge.classList.remove("badge-" + key);
      });
      badge.classList.add("badge-" + current[1]);
      badge.textContent = current[2];
      badge.setAttribute("data-status-updated", "true");
    });
  }

  function dayIn(zone, now) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date(now))
      .forEach(function (part) {
        parts[part.type] = part.value;
      });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  function markToday(now) {
    var view = document.querySelector(".month-view[data-timezone]");
    if (!view) {
      return;
    }
    var today;
    try {
      today = dayIn(view.getAttribute("data-timezone"), now);
    } catch (e) {
      return;
    }
    Array.prototype.forEach.call(view.querySelectorAll('[data-date="' + today + '"]'), function (day) {
      day.classList.add("month-today");
      day.setAttribute("aria-current", "date");
    });
  }

  function words(value) {
    return value ? value.split(" ").filter(Boolean) : [];
  }

  function option(select, value, label) {
    var node = document.createElement("option");
    node.value = value;
    node.textContent = label;
    select.appendChild(node);
  }

  function labelledSelect(form, id, label) {
    var wrap = document.createElement("div");
    wrap.className = "filter-field";
    var text = document.createElement("label");
    text.setAttribute("for", id);
    text.textContent = label;
    var select = document.createElement("select");
    select.id = id;
    option(select, "", "Any");
    wrap.appendChild(text);
    wrap.appendChild(select);
    form.appendChild(wrap);
    return select;
  }

  function enhanceFilters() {
    var calendar = document.querySelector('.calendar[data-filterable="true"]');
    if (!calendar) {
      return;
    }
    var entries = Array.prototype.slice.call(calendar.querySelectorAll(".event-entry"));
    if (entries.length < 2) {
      return;
    }
    var countries = {};
    var tags = {};
    entries.forEach(function (entry) {
      var country = entry.getAttribute("data-country");
      if (country) {
        countries[country] = entry.getAttribute("data-country-name") || country;
      }
      var names = (entry.getAttribute("data-tag-names") || "").split("|");
      words(entry.getAttribute("data-tags")).forEach(function (tag, index) {
        tags[tag] = names[index] || tag;
      });
    });

    var form = document.createElement("form");
    form.className = "quick-filter";
    form.setAttribute("aria-label", "Narrow down the events on this page");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    var country = labelledSelect(form, "quick-country", "Country");
    Object.keys(countries)
      .sort(function (a, b) {
        return countries[a].localeCompare(countries[b]);
      })
      .forEach(function (code) {
        option(country, code, countries[code]);
      });
    var topic = labelledSelect(form, "quick-topic", "Topic");
    Object.keys(tags)
      .sort(function (a, b) {
        return tags[a].localeCompare(tags[b]);
      })
      .forEach(function (tag) {
        option(topic, tag, tags[tag]);
      });
    var attendance = labelledSelect(form, "quick-attendance", "Attendance");
    option(attendance, "in-person", "In person");
    option(attendance, "online", "Online");
    var status = document.createElement("p");
    status.className = "quick-filter-status";
    status.setAttribute("role", "status");
    form.appendChild(status);

    function apply() {
      var shown = 0;
      entries.forEach(function (entry) {
        var ok =
          (!country.value || entry.getAttribute("data-country") === country.value) &&
          (!topic.value || words(entry.getAttribute("data-tags")).indexOf(topic.value) >= 0) &&
          (!attendance.value || words(entry.getAttribute("data-attendance")).indexOf(attendance.value) >= 0);
        entry.parentNode.hidden = !ok;
        if (ok) {
          shown += 1;
        }
      });
      Array.prototype.forEach.call(calendar.querySelectorAll("section"), function (section) {
        section.hidden = section.querySelector("li:not([hidden])") === null;
      });
      var filtered = country.value || topic.value || attendance.value;
      status.textContent = filtered ? shown + " of " + entries.length + " events shown" : "";
    }
    [country, topic, attendance].forEach(function (select) {
      select.addEventListener("change", apply);
    });
    var intro = document.createElement("p");
    intro.className = "filter-label";
    intro.textContent = "Combine filters on this page";
    var nav = document.querySelector(".filters");
    var box = document.createElement("div");
    box.className = "filter-group";
    box.appendChild(intro);
    box.appendChild(form);
    if (nav) {
      nav.appendChild(box);
    } else {
      calendar.parentNode.insertBefore(box, calendar);
    }
  }

  function start() {
    updateStatuses(Date.now());
    markToday(Date.now());
    enhanceFilters();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
