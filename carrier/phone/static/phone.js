// The browser phone: three handsets on the local carrier.  Each pane owns a
// phone on the server, long-polls its feed, and posts keys, words, answers and
// hang-ups.  No framework and no build step: plain DOM, textContent only.
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
        else this.setState("ended", `call ended: ${event.status}`);
        this.promptLine.textContent = "";
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
    else if (entry.kind === "input") this.bubble("you", entry.text);
    else if (entry.kind === "played") this.bubble("sound", `♪ ${entry.text}`);
    else if (entry.kind === "notice") this.bubble("notice", entry.text);
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
  return `talking with ${event.peer}`;
}

const caller = new Handset(document.getElementById("caller"), "caller");
const operator = new Handset(document.getElementById("operator"), "operator");
const complainant = new Handset(document.getElementById("complainant"), "complainant");
window.addEventListener("pagehide", () => [caller, operator, complainant].forEach((handset) => handset.close()));

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

[[operator, "#operator"], [complainant, "#complainant"]].forEach(([handset, selector]) => {
  const form = document.querySelector(`${selector} form.register`);
  const register = () => handset.open(form.elements.address.value.trim(), {
    ring: true, catch_all: form.elements.catch_all ? form.elements.catch_all.checked : false,
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); register(); });
  register();
});
