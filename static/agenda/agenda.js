// The staff calendar (office-agenda): FullCalendar over the events feed, polled while the tab is
// visible; drag and drop and resize ask the server, which decides (a refusal reverts the event and
// says why); a click opens the booking's details in the side panel with htmx.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("agenda-config").textContent);
  const element = document.getElementById("agenda-calendar");
  const banner = document.getElementById("agenda-banner");
  const bannerText = document.getElementById("agenda-banner-text");
  const panel = document.getElementById("agenda-panel");
  const select = document.getElementById("agenda-professional");
  const dayLink = document.getElementById("agenda-day-link");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  let professional = config.professional || "";
  // A drag or a move in flight: a poll must not replace the events under the pointer.
  let busy = false;

  function say(message, ok) {
    bannerText.textContent = message;
    banner.classList.toggle("nq-error", !ok);
    banner.classList.toggle("nq-ok", !!ok);
    banner.hidden = false;
  }
  document.getElementById("agenda-banner-close").addEventListener("click", function () {
    banner.hidden = true;
  });
  document.getElementById("agenda-panel-close").addEventListener("click", function () {
    panel.innerHTML = "";
  });

  function businessHours() {
    const shown = config.professionals.filter(function (p) {
      return !professional || p.id === professional;
    });
    return shown.flatMap(function (p) {
      return p.hours;
    });
  }

  function background(info, success) {
    // Closures for everyone; a professional's time off when they are the one shown (or the only one).
    success(
      config.background.filter(function (event) {
        return !event.professional || !professional || event.professional === professional;
      }),
    );
  }

  function iso(date) {
    return date.toISOString(); // an instant with its offset (Z): the server wants no guessing
  }

  function move(info, resized) {
    const event = info.event;
    const body = { start: iso(event.start) };
    if (resized && event.end) {
      body.end = iso(event.end);
    }
    busy = true;
    fetch(event.extendedProps.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            if (!response.ok) {
              info.revert();
              say(data.error || config.text.failed, false);
              return;
            }
            say(data.message, true);
            if (data.event) {
              event.setDates(data.event.start, data.event.end);
            }
          });
      })
      .catch(function () {
        info.revert();
        say(config.text.offline, false);
      })
      .finally(function () {
        busy = false;
        calendar.refetchEvents();
      });
  }

  const narrow = window.matchMedia("(max-width: 767px)").matches;
  const views = "timeGridDay,timeGridWeek,dayGridMonth,listWeek";
  const calendar = new FullCalendar.Calendar(element, {
    timeZone: config.timeZone,
    locale: config.locale,
    initialDate: config.initialDate,
    initialView: narrow ? "timeGridDay" : "timeGridWeek",
    // On a phone the view buttons get a row of their own under the calendar.
    headerToolbar: narrow
      ? { left: "prev,next", center: "title", right: "today" }
      : { left: "prev,next today", center: "title", right: views },
    footerToolbar: narrow ? { center: views } : false,
    firstDay: 1,
    height: "auto",
    nowIndicator: true,
    allDaySlot: false,
    slotMinTime: config.slotMinTime,
    slotMaxTime: config.slotMaxTime,
    slotDuration: "00:30:00",
    snapDuration: { minutes: config.snapMinutes },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    businessHours: businessHours(),
    editable: config.canMove,
    eventDurationEditable: config.canMove,
    dayMaxEvents: true,
    slotEventOverlap: false, // side by side: with many professionals, overlapping cards hide each other
    eventSources: [
      {
        id: "agenda",
        url: config.eventsUrl,
        extraParams: function () {
          return professional ? { professional: professional } : {};
        },
        failure: function () {
          say(config.text.loadFailed, false);
        },
      },
      { id: "background", events: background },
    ],
    eventDidMount: function (info) {
      const props = info.event.extendedProps;
      if (info.event.display !== "background" && props.professionalName) {
        info.el.title = info.event.title + " · " + props.professionalName;
      }
      info.el.dataset.kind = props.kind || "";
      info.el.dataset.status = props.status || "";
    },
    eventClick: function (info) {
      const url = info.event.url;
      const click = info.jsEvent;
      if (!url) {
        click.preventDefault();
        return;
      }
      if (click.metaKey || click.ctrlKey || click.shiftKey || click.button === 1) {
        return; // a new tab: the link's own page
      }
      click.preventDefault();
      htmx.ajax("GET", url, { target: "#agenda-panel" });
    },
    eventDragStart: function () {
      busy = true;
    },
    eventResizeStart: function () {
      busy = true;
    },
    eventDragStop: function () {
      busy = false;
    },
    eventResizeStop: function () {
      busy = false;
    },
    eventDrop: function (info) {
      move(info, false);
    },
    eventResize: function (info) {
      move(info, true);
    },
    datesSet: function (info) {
      if (dayLink) {
        const day = info.view.currentStart.toISOString().slice(0, 10);
        dayLink.href = dayLink.href.split("?")[0] + "?date=" + day;
      }
    },
    loading: function (loading) {
      element.setAttribute("aria-busy", loading ? "true" : "false");
    },
  });
  calendar.render();
  element.dataset.ready = "true";

  if (select) {
    select.addEventListener("change", function () {
      professional = select.value;
      calendar.setOption("businessHours", businessHours());
      calendar.refetchEvents();
      const url = new URL(window.location.href);
      if (professional) {
        url.searchParams.set("professional", professional);
      } else {
        url.searchParams.delete("professional");
      }
      window.history.replaceState(null, "", url);
    });
  }

  // Live updates: the feed costs nothing while nothing changed (304), so polling is cheap.
  function refresh() {
    if (document.visibilityState === "visible" && !busy) {
      calendar.refetchEvents();
    }
  }
  window.setInterval(refresh, config.pollSeconds * 1000);
  document.addEventListener("visibilitychange", refresh);
  // The details panel says when it changed a booking (HX-Trigger: agenda-changed).
  document.body.addEventListener("agenda-changed", function () {
    calendar.refetchEvents();
  });
  window.nexioqAgenda = calendar; // for the browser tests and the console
})();
