// The browser phone: three handsets on the local carrier, and as many more as
// the person adds (or ?handsets= lists).  Each pane owns a phone on the
// server, long-polls its feed, and posts keys, words, answers and hang-ups.
// In a conference a pane shows, for every other party, whether it hears them
// and whether they hear it.  No framework and no build step: plain DOM,
// textContent only.
"use strict";

const API = window.PHONE_API;
const speakAloud = document.getElementById("speak-aloud");

async function post(path, body) {
  const response = await fetch(API + path, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body || {}),
  });
  return response.ok ? response.json() : null;
}

// Twilio's Mandarin codes to what browsers' speech synthesis knows.
function browserLanguage(language) {
  if (!language) return undefined;
  return /^(cmn|zh)/i.test(language) ? "zh-CN" : language;
}

function speak(utterance) {
  if (!speakAloud.checked || !("speechSynthesis" in window)) return;
  const spoken = new SpeechSynthesisUtterance(utterance.speakable);
  const lang = browserLanguage(utterance.language);
  if (lang) spoken.lang = lang;
  spoken.rate = 0.95;
  window.speechSynthesis.speak(spoken);
}

class Handset {
  constructor(root, role) {
    this.root = root;
    this.role = role;
    this.id = null;
    this.address = null;
    this.ready = Promise.resolve();
    this.seen = 0;
    this.generation = 0;
    this.transcript = root.querySelector(".transcript");
    this.logList = root.querySelector(".log ol");
    this.stateLine = root.querySelector(".state");
    this.promptLine = root.querySelector(".prompt");
    this.conferencePanel = root.querySelector(".conference-panel");
    this.wire();
  }

  wire() {
    this.root.querySelectorAll(".keypad button").forEach((button) =>
      button.addEventListener("click", () => this.act("press", {digits: button.dataset.key})));
    this.root.querySelectorAll("[data-act]").forEach((button) =>
      button.addEventListener("click", () => this.act(button.dataset.act, {as: button.dataset.as})));
    const textForm = this.root.querySelector("form.text");
    if (textForm) {
      textForm.addEventListener("submit", (event) => {
        event.preventDefault();
        const input = textForm.elements.body;
        if (input.value.trim()) this.act("text", {to: textForm.elements.to.value, body: input.value.trim()});
        input.value = "";
      });
    }
    const sayForm = this.root.querySelector("form.say");
    sayForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = sayForm.elements.text;
      if (input.value.trim()) this.act("say", {text: input.value.trim()});
      input.value = "";
    });
  }

  close() {
    if (this.id) navigator.sendBeacon(`${API}/phones/${this.id}/close`);
  }

  // Replacing the phone takes a round trip; anything the person does meanwhile
  // (the Call button right after typing a new From number) waits for it, so
  // it goes to the new phone rather than to the old one, already closed.
  open(address, options) {
    this.close();
    this.id = null;
    this.address = address;
    this.root.dataset.address = address;
    const generation = ++this.generation;      // the old phone's feed stops being read now
    this.ready = post("/phones", {address, name: this.role, ...options}).then((phone) => {
      if (generation !== this.generation) return;       // replaced again meanwhile
      this.id = phone.id;
      this.seen = 0;
      this.setState(options && options.ring ? `waiting for calls to ${address}` : "idle");
      this.poll(generation);
    });
    return this.ready;
  }

  async poll(generation) {
    while (generation === this.generation) {
      try {
        const response = await fetch(`${API}/phones/${this.id}/events?after=${this.seen}`);
        if (!response.ok) throw new Error(response.statusText);
        const {events} = await response.json();
        if (generation !== this.generation) return;
        events.forEach((event) => this.handle(event));
        if (events.length) this.seen = events[events.length - 1].seq;
      } catch (error) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  async act(action, body) {
    await this.ready;
    return post(`/phones/${this.id}/${action}`, body);
  }

  setState(state, text) {
    this.root.dataset.state = state.split(" ")[0];
    this.stateLine.textContent = text || state;
  }

  handle(event) {
    switch (event.kind) {
      case "calling":
        this.transcript.replaceChildren();
        this.setState("calling", `calling ${event.to}…`);
        break;
      case "ringing":
        this.transcript.replaceChildren();
        this.setState("ringing", `incoming call from ${event.from_}`);
        break;
      case "status":
        if (event.status === "in-progress") this.setState("connected", "connected");
        else {
          this.setState("ended", `call ended: ${event.status}`);
          this.conference(null);
        }
        this.promptLine.textContent = "";
        break;
      case "conference":
        this.conference(event.conference);
        break;
      case "prompt":
        this.promptLine.textContent = describeMoment(event);
        break;
      case "log":
        this.log(event.entry);
        break;
      case "sms":
        this.sms(event);
        break;
    }
  }

  log(entry) {
    const item = document.createElement("li");
    item.className = entry.kind;
    item.textContent = `${entry.at.slice(11, 19)} ${entry.kind}: ${entry.text}`;
    this.logList.append(item);
    if (entry.kind === "heard") this.heard(entry);
    else if (entry.kind === "input") this.said(entry);
    else if (entry.kind === "played") this.bubble("sound", `♪ ${entry.text}`);
    else if (entry.kind === "notice") this.bubble("notice", entry.text);
  }

  // Who hears whom: the conference this phone's call is in, from its point of view.
  conference(view) {
    const panel = this.conferencePanel;
    panel.hidden = !view;
    this.root.dataset.conference = view ? view.name : "";
    if (!view) return;
    panel.querySelector(".conference-name").textContent = view.name;
    panel.querySelector(".me").textContent = `我 Me: ${marks(view.me).join(" · ") || "通话中 talking"}`;
    const rows = view.others.map((other) => {
      const row = document.createElement("tr");
      row.dataset.label = other.label || "";
      row.dataset.callSid = other.call_sid;
      const name = other.label && other.label !== other.who ? `${other.label} (${other.who})` : other.who;
      [name, hearing(other.i_hear), hearing(other.hears_me), marks(other).join(" · ")].forEach((text, index) => {
        const cell = document.createElement("td");
        cell.textContent = text;
        if (index === 1) cell.className = other.i_hear ? "i-hear yes" : "i-hear no";
        if (index === 2) cell.className = other.hears_me ? "hears-me yes" : "hears-me no";
        row.append(cell);
      });
      return row;
    });
    panel.querySelector("tbody").replaceChildren(...rows);
  }

  // An SMS this phone received or sent: who, when, and the words.
  sms(event) {
    const list = this.root.querySelector(".messages");
    if (!list) return;
    const item = document.createElement("li");
    item.className = event.direction;
    const who = document.createElement("span");
    who.className = "who";
    const peer = event.direction === "sent" ? `to ${event.to}` : `from ${event.from_}`;
    who.textContent = `${event.at.slice(11, 19)} ${peer}`;
    item.append(who, document.createTextNode(event.body));
    list.append(item);
    item.scrollIntoView({block: "nearest"});
  }

  // What this phone said; in a conference, who heard it.
  said(entry) {
    const line = this.bubble("you", entry.text);
    const audience = entry.data.heard_by;
    if (!Array.isArray(audience)) return;
    const who = document.createElement("span");
    who.className = "who heard-by";
    who.textContent = audience.length ? `听到的人 heard by: ${audience.join(", ")}` : "没有人听到 nobody heard it";
    line.append(who);
  }

  heard(entry) {
    const utterance = entry.data.utterance;
    const line = this.bubble("them", "");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = entry.data.speaker || "hotline";
    line.append(who);
    // Read-out digits (a case number) stand out, whole, so they can be copied.
    let rest = utterance.text;
    utterance.spelled.forEach((digits) => {
      const at = rest.indexOf(digits);
      if (at < 0) return;
      line.append(document.createTextNode(rest.slice(0, at)));
      const mark = document.createElement("strong");
      mark.className = "spelled";
      mark.textContent = digits;
      line.append(mark);
      rest = rest.slice(at + digits.length);
    });
    line.append(document.createTextNode(rest));
    speak(utterance);
  }

  bubble(kind, text) {
    const item = document.createElement("li");
    item.className = kind;
    item.textContent = text;
    this.transcript.append(item);
    item.scrollIntoView({block: "nearest"});
    return item;
  }
}

function describeMoment(event) {
  if (event.moment === "listening") {
    const ways = event.input.map((way) => (way === "dtmf" ? "keys" : "speech")).join(" or ");
    const digits = event.num_digits ? ` · ${event.num_digits} digit(s)` : "";
    const finish = event.finish_on_key ? ` · finish with ${event.finish_on_key}` : "";
    return `listening for ${ways}${digits}${finish}`;
  }
  if (event.moment === "recording") return `recording · finish with ${event.finish_on_key || "silence"}`;
  if (event.moment === "holding") return `on hold in queue ${event.queue}`;
  if (event.moment === "conference") {
    const mode = {waiting: "等待开始 waiting for it to start", held: "保持中 on hold", talking: "通话中 talking"};
    return `会议 conference ${event.conference} · ${mode[event.mode] || event.mode}`;
  }
  return `talking with ${event.peer}`;
}

function hearing(yes) {
  return yes ? "听得到 hears" : "听不到 can't hear";
}

function marks(party) {
  const found = [];
  if (party.status && party.status !== "connected") found.push(`${party.status}`);
  if (party.waiting) found.push("等待开始 waiting");
  if (party.hold) found.push("保持 on hold");
  if (party.muted) found.push("静音 muted");
  if (party.coaching) found.push(`指导 coaching ${party.coaching_whom || ""}`.trim());
  return found;
}

const caller = new Handset(document.getElementById("caller"), "caller");
const operator = new Handset(document.getElementById("operator"), "operator");
const complainant = new Handset(document.getElementById("complainant"), "complainant");
const handsets = [caller, operator, complainant];
window.addEventListener("pagehide", () => handsets.forEach((handset) => handset.close()));

const dialForm = document.getElementById("dial-form");
caller.open(dialForm.elements.from.value, {ring: false});
dialForm.elements.from.addEventListener("change", () => caller.open(dialForm.elements.from.value, {ring: false}));
dialForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  const from = dialForm.elements.from.value;
  if (from !== caller.address) await caller.open(from, {ring: false});   // typed, and no change event yet
  caller.act("dial", {to: dialForm.elements.to.value});
});

function registering(handset) {
  const form = handset.root.querySelector("form.register");
  const register = () => handset.open(form.elements.address.value.trim(), {
    ring: true, catch_all: form.elements.catch_all ? form.elements.catch_all.checked : false,
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); register(); });
  register();
}

registering(operator);
registering(complainant);

// More handsets: a second operator, a supervisor, a department's duty number.
let extraCount = 0;
function addHandset(address) {
  const template = document.getElementById("extra-handset");
  const root = template.content.firstElementChild.cloneNode(true);
  root.id = `handset-${++extraCount}`;
  root.querySelector("h2").textContent = address;
  root.querySelector("form.register").elements.address.value = address;
  document.querySelector("main").append(root);
  const handset = new Handset(root, address);
  handsets.push(handset);
  root.querySelector("button.remove").addEventListener("click", () => {
    handset.close();
    handset.generation++;
    handsets.splice(handsets.indexOf(handset), 1);
    root.remove();
  });
  registering(handset);
  return handset;
}

window.EXTRA_HANDSETS.forEach(addHandset);
const addForm = document.getElementById("add-handset");
addForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const address = addForm.elements.address.value.trim();
  if (address) addHandset(address);
  addForm.elements.address.value = "";
});
