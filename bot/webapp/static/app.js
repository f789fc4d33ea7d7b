/* FitCoach Mini App: profile with unit-aware inputs, BMI card, weight chart, exercise library.
   Every API call carries "Authorization: tma <initData>"; Telegram signed initData. */
"use strict";

(function () {
  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = (tg && tg.initData) || "";
  var KG_PER_LB = 0.45359237, CM_PER_IN = 2.54;
  var T = {};
  var state = { profile: null, units: "metric", dirty: {}, exercisesLoaded: false, demoUrl: null };

  function $(id) { return document.getElementById(id); }
  function text(key, params) {
    var s = T[key] || key;
    Object.keys(params || {}).forEach(function (k) { s = s.split("{" + k + "}").join(params[k]); });
    return s;
  }
  function round(value, places) { var f = Math.pow(10, places); return Math.round(value * f) / f; }
  function node(tag, content, cls) {
    var n = document.createElement(tag);
    if (content !== undefined && content !== null) n.textContent = content;
    if (cls) n.className = cls;
    return n;
  }
  function notice(message, isError) {
    var n = $("notice");
    n.textContent = message || "";
    n.className = isError ? "error" : "";
  }

  function applyTheme() {
    var params = (tg && tg.themeParams) || {};
    Object.keys(params).forEach(function (key) {
      document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), params[key]);
    });
  }

  function applyTexts(language) {
    document.documentElement.lang = language;
    document.title = text("title");
    document.querySelectorAll("[data-text]").forEach(function (n) {
      if (T[n.dataset.text]) n.textContent = T[n.dataset.text];
    });
    document.querySelectorAll("[data-placeholder]").forEach(function (n) {
      n.placeholder = text(n.dataset.placeholder);
    });
  }

  async function loadTexts(language) {
    try {
      var answer = await fetch("/api/v1/texts?lang=" + encodeURIComponent(language || "en"));
      var body = await answer.json();
      T = body.texts || {};
      applyTexts(body.language || "en");
    } catch (e) { /* the English in the HTML stays */ }
  }

  async function api(method, path, body) {
    var options = { method: method, headers: { Authorization: "tma " + initData } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    var answer = await fetch(path, options);
    var data = await answer.json().catch(function () { return {}; });
    if (!answer.ok) {
      var error = new Error((data.error && data.error.message) || text("error"));
      error.status = answer.status;
      throw error;
    }
    return data;
  }

  /* --- profile ------------------------------------------------------------------------ */

  function setUnits(units) {
    state.units = units;
    document.body.classList.toggle("imperial", units === "imperial");
    document.body.classList.toggle("metric", units !== "imperial");
    document.querySelector(".unit-weight").textContent = text(units === "imperial" ? "unit_lb" : "unit_kg");
    document.querySelector(".unit-length").textContent = text(units === "imperial" ? "unit_in" : "unit_cm");
  }

  function form() { return $("profile-form").elements; }

  /* The measures as typed, in centimetres and kilograms (null when empty). */
  function readMeasures() {
    var f = form(), imperial = state.units === "imperial";
    var height = null;
    if (imperial && f.height_ft.value !== "") {
      height = (Number(f.height_ft.value) * 12 + Number(f.height_in.value || 0)) * CM_PER_IN;
    } else if (!imperial && f.height_cm.value !== "") {
      height = Number(f.height_cm.value);
    }
    var weight = f.weight.value === "" ? null : Number(f.weight.value) * (imperial ? KG_PER_LB : 1);
    var waist = f.waist.value === "" ? null : Number(f.waist.value) * (imperial ? CM_PER_IN : 1);
    return { height: height, weight: weight, waist: waist };
  }

  function writeMeasures(m) {
    var f = form(), imperial = state.units === "imperial";
    f.height_cm.value = m.height === null ? "" : round(m.height, 1);
    var inches = m.height === null ? null : Math.round(m.height / CM_PER_IN);
    f.height_ft.value = inches === null ? "" : Math.floor(inches / 12);
    f.height_in.value = inches === null ? "" : inches % 12;
    f.weight.value = m.weight === null ? "" : imperial ? Math.round(m.weight / KG_PER_LB) : round(m.weight, 1);
    f.waist.value = m.waist === null ? "" : round(m.waist / (imperial ? CM_PER_IN : 1), 1);
  }

  function fillProfile(p) {
    state.profile = p;
    state.dirty = {};
    var f = form();
    f.units.value = p.units;
    setUnits(p.units);
    writeMeasures({ height: p.height_cm, weight: p.weight_kg, waist: p.waist_cm });
    f.age.value = p.age === null ? "" : p.age;
    f.sex.value = p.sex || "none";
    f.goal.value = p.goal || "none";
    f.activity.value = p.activity || "none";
    f.bmi_scale.value = p.bmi_scale;
  }

  /* Only the fields the user touched: a unit switch alone must not re-round stored measures. */
  function changedFields() {
    var all = patchFromForm(), changed = {};
    Object.keys(all).forEach(function (key) { if (state.dirty[key]) changed[key] = all[key]; });
    return changed;
  }

  function markDirty(event) {
    var name = event.target.name || "";
    state.dirty[name.indexOf("height") === 0 ? "height" : name] = true;
  }

  function patchFromForm() {
    var f = form(), imperial = state.units === "imperial";
    var height = "none";
    if (imperial && f.height_ft.value !== "") {
      height = f.height_ft.value + " ft " + (f.height_in.value || "0") + " in";
    } else if (!imperial && f.height_cm.value !== "") {
      height = f.height_cm.value + " cm";
    }
    function measure(value, unit) { return value === "" ? "none" : value + " " + unit; }
    return {
      units: f.units.value,
      height: height,
      weight: measure(f.weight.value, imperial ? "lb" : "kg"),
      waist: measure(f.waist.value, imperial ? "in" : "cm"),
      age: f.age.value === "" ? "none" : f.age.value,
      sex: f.sex.value,
      goal: f.goal.value,
      activity: f.activity.value,
      bmi_scale: f.bmi_scale.value
    };
  }

  async function saveProfile(event) {
    event.preventDefault();
    var status = $("form-status");
    status.className = "";
    status.textContent = text("loading");
    try {
      fillProfile(await api("PATCH", "/api/v1/profile", changedFields()));
      await loadMetrics();
      status.textContent = text("saved");
    } catch (error) {
      status.className = "error";
      status.textContent = error.message;
    }
  }

  /* --- BMI card and chart ------------------------------------------------------------- */

  function row(label, value) {
    var r = node("div", null, "row");
    r.appendChild(node("span", label));
    r.appendChild(node("strong", value));
    return r;
  }

  function renderMetrics(m, series) {
    var body = $("bmi-body");
    body.textContent = "";
    if (m.bmi === null) {
      var missing = m.missing.map(function (key) { return text(key).toLowerCase(); }).join(", ");
      body.appendChild(node("p", text("bmi_missing", { fields: missing })));
    } else {
      body.appendChild(node("div", m.bmi.toFixed(1), "bmi-value"));
      if (m.bmi_class_label) body.appendChild(node("p", m.bmi_class_label));
      if (m.bmi_prime !== null) body.appendChild(row(text("bmi_prime"), m.bmi_prime.toFixed(2)));
      if (m.healthy_range_shown) body.appendChild(row(text("healthy_range"), m.healthy_range_shown));
      if (m.bmr_kcal !== null) body.appendChild(row(text("bmr"), m.bmr_kcal + " " + text("kcal_day")));
      if (m.tdee_kcal !== null) body.appendChild(row(text("tdee"), m.tdee_kcal + " " + text("kcal_day")));
    }
    m.notes.forEach(function (note) { body.appendChild(node("p", note, "hint")); });
    $("bmi-disclaimer").textContent = m.disclaimer;
    renderChart(m, series);
  }

  /* The logged weigh-ins when there are any, else the profile's weight; the healthy band. */
  function renderChart(m, series) {
    var imperial = m.units === "imperial";
    function shown(kg) { return imperial ? kg / KG_PER_LB : kg; }
    var svg = $("weight-chart");
    var unit = text(imperial ? "unit_lb" : "unit_kg");
    var points = (series && series.points || []).map(function (p) {
      return { label: p[0].slice(5), value: p[1] };  // MM-DD, already in the user's units
    });
    if (!points.length && m.weight_kg !== null) {
      points = [{ label: text("chart_you"), value: round(shown(m.weight_kg), imperial ? 0 : 1) }];
    }
    if (!points.length) {
      window.drawWeightChart(svg, { points: [] });
      $("chart-label").textContent = text("chart_empty");
      return;
    }
    window.drawWeightChart(svg, {
      points: points,
      band: m.healthy_range_kg ? m.healthy_range_kg.map(shown) : null,
      bandLabel: text("chart_healthy"),
      unit: unit
    });
    var last = points[points.length - 1];
    $("chart-label").textContent = last.label + ": " + last.value + " " + unit;
  }

  async function loadMetrics() {
    var metrics = await api("GET", "/api/v1/metrics");
    var series = await api("GET", "/api/v1/body-weights?days=90").catch(function () { return null; });
    renderMetrics(metrics, series);
  }

  /* --- exercises ---------------------------------------------------------------------- */

  var searchTimer = null;

  async function loadExercises() {
    var params = new URLSearchParams({ q: $("search").value });
    if ($("muscle").value) params.set("muscle", $("muscle").value);
    var data = await api("GET", "/api/v1/exercises?" + params.toString());
    var select = $("muscle");
    if (select.options.length === 1) {
      data.muscle_groups.forEach(function (group) {
        var option = node("option", group);
        option.value = group;
        select.appendChild(option);
      });
    }
    var list = $("exercise-list");
    list.textContent = "";
    if (!data.exercises.length) list.appendChild(node("li", text("no_results")));
    data.exercises.forEach(function (exercise) {
      var item = node("li", exercise.name);
      item.dataset.slug = exercise.slug;
      item.appendChild(node("small", exercise.primary_muscles.join(", ")));
      item.addEventListener("click", function () { openExercise(exercise.slug); });
      list.appendChild(item);
    });
  }

  async function openExercise(slug) {
    var detail = await api("GET", "/api/v1/exercises/" + encodeURIComponent(slug));
    $("exercise-list").hidden = true;
    $("exercise-detail").hidden = false;
    $("exercise-name").textContent = detail.name;
    var cues = $("exercise-cues");
    cues.textContent = "";
    detail.cues.forEach(function (cue) { cues.appendChild(node("li", cue)); });
    var box = $("exercise-demo");
    box.textContent = "";
    if (state.demoUrl) { URL.revokeObjectURL(state.demoUrl); state.demoUrl = null; }
    var demo = detail.demos[0];
    if (!demo) { box.appendChild(node("p", text("no_demo"))); return; }
    var src = demo.src;
    if (src.indexOf("/api/") === 0) {  // ours: fetched with the session header
      var answer = await fetch(src, { headers: { Authorization: "tma " + initData } });
      state.demoUrl = URL.createObjectURL(await answer.blob());
      src = state.demoUrl;
    }
    var media = demo.kind === "video" ? node("video") : node("img");
    if (demo.kind === "video") { media.autoplay = media.loop = media.muted = media.playsInline = true; }
    media.src = src;
    media.alt = detail.name;
    box.appendChild(media);
    box.appendChild(node("p", demo.credit));
  }

  function showTab(name) {
    document.querySelectorAll("#tabs button").forEach(function (b) {
      b.classList.toggle("active", b.dataset.tab === name);
    });
    $("profile-view").hidden = name !== "profile";
    $("exercises-view").hidden = name !== "exercises";
    if (name === "exercises" && !state.exercisesLoaded) {
      state.exercisesLoaded = true;
      loadExercises().catch(function (e) { notice(e.message, true); });
    }
  }

  /* --- start -------------------------------------------------------------------------- */

  async function start() {
    applyTheme();
    if (!initData) {
      await loadTexts(navigator.language);
      notice(text("outside_telegram"), true);
      return;
    }
    tg.ready();
    tg.expand();
    if (tg.onEvent) tg.onEvent("themeChanged", applyTheme);
    try {
      var me = await api("GET", "/api/v1/me");
      await loadTexts(me.language);
      notice(text("loading"));
      fillProfile(await api("GET", "/api/v1/profile"));
      await loadMetrics();
      notice("");
      $("tabs").hidden = false;
      showTab("profile");
    } catch (error) {
      notice(error.message, true);
    }
    $("profile-form").addEventListener("submit", saveProfile);
    $("profile-form").addEventListener("input", markDirty);
    $("profile-form").addEventListener("change", markDirty);
    form().units.addEventListener("change", function (event) {
      var measures = readMeasures();
      setUnits(event.target.value);
      writeMeasures(measures);
    });
    document.querySelectorAll("#tabs button").forEach(function (b) {
      b.addEventListener("click", function () { showTab(b.dataset.tab); });
    });
    $("search").addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () { loadExercises().catch(function (e) { notice(e.message, true); }); }, 250);
    });
    $("muscle").addEventListener("change", function () { loadExercises().catch(function (e) { notice(e.message, true); }); });
    $("back").addEventListener("click", function () {
      $("exercise-detail").hidden = true;
      $("exercise-list").hidden = false;
    });
  }

  start();
})();
