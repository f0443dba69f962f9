/* The personal calendar: FullCalendar with the events of /activities/calendar/events/, moves by
   drag and drop and resize posted to /activities/calendar/<id>/move/ (the reschedule service),
   a new activity by selecting a slot. Times are wall-clock times of the user's time zone. */
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function localIso(date) {
    // A FullCalendar date of a named zone without a plugin is "UTC-coerced": read it as UTC.
    return date.toISOString().slice(0, 19);
  }

  function start() {
    var element = document.getElementById("calendar");
    var configNode = document.getElementById("calendar-config");
    if (!element || !configNode || !window.FullCalendar) {
      return;
    }
    var config = JSON.parse(configNode.textContent);
    var status = document.getElementById("calendar-status");
    var people = config.people.slice();
    var nowBase = Date.parse(config.now + "Z");
    var loadedAt = Date.now();

    function say(text, kind) {
      status.className = "calendar-status small mb-2 alert py-1 px-2 alert-" + (kind || "info");
      status.textContent = text;
    }

    function move(info) {
      var event = info.event;
      if (info.oldEvent && info.oldEvent.allDay !== event.allDay) {
        info.revert();
        say(config.messages.allDay, "warning");
        return;
      }
      var body = new URLSearchParams();
      body.set("start", event.allDay ? event.startStr.slice(0, 10) : localIso(event.start));
      if (event.end) {
        body.set("end", event.allDay ? event.endStr.slice(0, 10) : localIso(event.end));
      }
      fetch(config.moveUrl.replace("/0/", "/" + event.id + "/"), {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) {
          if (response.status === 404 || response.status === 403) {
            info.revert();
            say(config.messages.denied, "danger");
            return null;
          }
          return response.json().then(function (data) {
            if (!response.ok) {
              info.revert();
              var errors = data.errors || {};
              var text = Object.keys(errors)
                .map(function (key) { return errors[key].join(" "); })
                .join(" ");
              say(text || config.messages.failed, "danger");
              return;
            }
            event.setProp("classNames", data.event.classNames);
            event.setProp("borderColor", data.event.borderColor);
            say(data.message || config.messages.moved, "success");
          });
        })
        .catch(function () {
          info.revert();
          say(config.messages.failed, "danger");
        });
    }

    var calendar = new FullCalendar.Calendar(element, {
      locale: config.locale,
      timeZone: config.timeZone,
      firstDay: 1,
      initialView: config.initialView || "timeGridWeek",
      initialDate: config.initialDate || undefined,
      now: function () {
        return new Date(nowBase + (Date.now() - loadedAt)).toISOString().slice(0, 19);
      },
      headerToolbar: {
        left: "prev,next today",
        center: "title",
        right: "timeGridDay,timeGridWeek,dayGridMonth",
      },
      titleFormat: { year: "numeric", month: "long", day: "numeric" },
      views: {
        dayGridMonth: { titleFormat: { year: "numeric", month: "long" } },
      },
      eventMinHeight: 22,
      eventDisplay: "block",
      height: "auto",
      expandRows: true,
      nowIndicator: true,
      businessHours: { daysOfWeek: [1, 2, 3, 4, 5], startTime: "09:00", endTime: "18:00" },
      slotMinTime: "07:00:00",
      slotMaxTime: "21:00:00",
      scrollTime: "08:00:00",
      slotDuration: "00:30:00",
      dayMaxEvents: 4,
      editable: true,
      eventStartEditable: true,
      eventDurationEditable: true,
      selectable: true,
      selectMirror: true,
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      events: function (info, success, failure) {
        var params = new URLSearchParams();
        params.set("start", localIso(info.start));
        params.set("end", localIso(info.end));
        if (people.length) {
          params.set("users", people.join(","));
        }
        fetch(config.eventsUrl + "?" + params.toString(), { credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) {
              throw new Error(String(response.status));
            }
            return response.json();
          })
          .then(success)
          .catch(function (error) {
            say(config.messages.loadFailed, "danger");
            failure(error);
          });
      },
      eventClick: function (info) {
        info.jsEvent.preventDefault();
        if (info.event.extendedProps.url) {
          window.location.href = info.event.extendedProps.url;
        }
      },
      select: function (info) {
        var when = info.allDay ? info.startStr.slice(0, 10) + "T09:00" : localIso(info.start).slice(0, 16);
        var params = new URLSearchParams({ start: when, next: config.calendarUrl });
        window.location.href = config.createUrl + "?" + params.toString();
      },
      eventDrop: move,
      eventResize: move,
      eventDidMount: function (info) {
        var props = info.event.extendedProps;
        info.el.title = [props.kind, info.event.title, props.responsible].filter(Boolean).join(" · ");
      },
    });
    calendar.render();
    window.svodCalendar = calendar;

    var chooser = document.getElementById("calendar-people");
    if (chooser) {
      chooser.addEventListener("change", function () {
        people = Array.prototype.map.call(
          chooser.querySelectorAll("input[name=users]:checked"),
          function (input) { return Number(input.value); }
        );
        calendar.refetchEvents();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
