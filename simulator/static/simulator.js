/* The phone simulator's page: plays each phone and talks only to the simulator's own endpoints, which
   post to Rabta's real webhooks. No build step, no external assets. The USSD inputs of a call live here
   (the network accumulates them into AT's `text`); the server never stores them. */
"use strict";

(function () {
  const body = document.body;
  const API = body.dataset.api;
  const IDLE_MS = Number(body.dataset.idleSeconds || "60") * 1000;
  const SERVICE_CODE = body.dataset.serviceCode;
  const POLL_MS = 1000;
  const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
  const notice = document.getElementById("notice");
  const phones = new Map();

  function say(text) { notice.textContent = text; }

  async function call(path, payload) {
    const options = payload === undefined ? {} : {
      method: "POST", body: JSON.stringify(payload),
      headers: { "Content-Type": "application/json", "X-Rabta-Simulator": "1" },
    };
    let response;
    try {
      response = await fetch(API + path, options);
    } catch (error) {
      return { ok: false, data: { error: "Rabta does not answer (" + error.message + ")." } };
    }
    let data = {};
    try { data = await response.json(); } catch (error) { data = { error: "HTTP " + response.status }; }
    return { ok: response.ok, data: data };
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function time(iso) {
    const at = new Date(iso);
    return isNaN(at) ? "" : at.toLocaleTimeString([], { hour12: false }) + "." + String(at.getMilliseconds()).padStart(3, "0");
  }

  class Phone {
    constructor(number) {
      this.number = number;
      this.sessionId = null;
      this.inputs = [];
      this.idle = null;
      this.seen = new Map();  // inbox message id -> status shown
      this.busy = false;
      const unit = document.getElementById("phone-template").content.firstElementChild.cloneNode(true);
      this.unit = unit;
      unit.setAttribute("aria-label", "Phone " + number);
      unit.dataset.number = number;
      unit.querySelector(".number").textContent = number;
      unit.querySelector(".panel").setAttribute("aria-label", "Events for " + number);
      this.screen = unit.querySelector(".screen-text");
      this.reply = unit.querySelector(".reply");
      this.inbox = unit.querySelector(".inbox");
      this.events = unit.querySelector(".events");
      const keypad = unit.querySelector(".keypad");
      for (const key of KEYS) {
        const button = element("button", "key", key);
        button.type = "button";
        button.setAttribute("aria-label", key);
        button.addEventListener("click", () => this.press(key));
        keypad.appendChild(button);
      }
      unit.querySelector(".call").addEventListener("click", () => this.dial());
      unit.querySelector(".hang-up").addEventListener("click", () => this.hangUp("drop"));
      unit.querySelector(".reply-form").addEventListener("submit", (event) => { event.preventDefault(); this.send(); });
      unit.querySelector(".sms-form").addEventListener("submit", (event) => { event.preventDefault(); this.text(); });
      unit.querySelector(".phone").addEventListener("keydown", (event) => this.key(event));
      this.show("Press Call to dial " + SERVICE_CODE + ".");
      document.getElementById("phones").appendChild(unit);
      this.poll();
    }

    show(text) { this.screen.textContent = text; }

    press(key) { this.reply.value += key; this.reply.focus(); }

    key(event) {  // the keyboard is a keypad too, wherever the focus is on the phone (but in a text box)
      const target = event.target;
      if (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || event.ctrlKey || event.metaKey || event.altKey) return;
      if (KEYS.includes(event.key)) { event.preventDefault(); this.press(event.key); }
    }

    armIdle() {
      clearTimeout(this.idle);
      this.idle = setTimeout(() => this.hangUp("timeout"), IDLE_MS);
    }

    async dial() {
      if (this.busy) return;
      if (this.sessionId) await this.hangUp("drop");
      this.busy = true;
      this.reply.value = "";
      this.show("Dialling " + SERVICE_CODE + "…");
      const answer = await call("/ussd/dial", { phone: this.number });
      this.busy = false;
      this.inputs = [];
      this.screenFrom(answer);
    }

    async send() {
      const value = this.reply.value;
      if (this.busy) { say("Wait for the screen to answer first."); return; }
      if (!this.sessionId) {
        if (value === "" || value === SERVICE_CODE) { this.dial(); return; }
        say("No call in progress: press Call to dial " + SERVICE_CODE + ".");
        return;
      }
      this.busy = true;
      this.reply.value = "";
      const inputs = this.inputs.concat([value]);
      const answer = await call("/ussd/reply", { phone: this.number, session_id: this.sessionId, inputs: inputs });
      this.busy = false;
      if (answer.ok) this.inputs = inputs;
      this.screenFrom(answer);
    }

    screenFrom(answer) {
      const data = answer.data;
      if (!answer.ok) {
        say(data.error || "The simulator could not do that.");
        if (answer.data && answer.data.error) this.stop();
        return;
      }
      say("");
      if (data.event) this.log(data.event);
      if (data.timed_out) { this.stop(); this.show("Session timed out."); return; }
      this.sessionId = data.end ? null : data.session_id;
      this.show(data.screen);
      this.reply.type = data.secret ? "password" : "text";
      if (data.end) this.stop(); else this.armIdle();
    }

    stop() {
      clearTimeout(this.idle);
      this.sessionId = null;
      this.inputs = [];
      this.reply.type = "text";
    }

    async hangUp(reason) {
      const sessionId = this.sessionId;
      if (!sessionId) { this.show("No call in progress."); return; }
      const inputs = this.inputs;
      this.stop();
      const answer = await call("/ussd/hang-up", { phone: this.number, session_id: sessionId, inputs: inputs, reason: reason });
      if (answer.ok && answer.data.event) this.log(answer.data.event);
      this.show(reason === "timeout" ? "Session timed out." : "Call ended.");
    }

    async text() {
      const box = this.unit.querySelector(".message");
      const value = box.value.trim();
      if (!value) { say("Type a message first."); return; }
      box.value = "";
      const answer = await call("/sms", { phone: this.number, text: value });
      if (!answer.ok) { say(answer.data.error || "The text was not sent."); return; }
      say("");
      this.log(answer.data);
    }

    async poll() {
      const answer = await call("/inbox?phone=" + encodeURIComponent(this.number));
      if (answer.ok) this.fill(answer.data.messages || []);
      setTimeout(() => this.poll(), POLL_MS);
    }

    fill(messages) {
      const first = !this.filled;  // texts from before the page opened are shown, not logged as events
      this.filled = true;
      let changed = false;
      for (const message of messages) {
        const shown = this.seen.get(message.id);
        if (shown === message.status) continue;
        changed = true;
        if (shown === undefined && !first) this.log(Object.assign({}, message, { kind: "sms_out", message_kind: message.kind }));
        this.seen.set(message.id, message.status);
      }
      if (!changed) return;
      this.inbox.replaceChildren(...messages.map((message) => {
        const item = element("li");
        item.dataset.id = message.id;
        const text = element("span", "body", message.body);
        text.dir = "auto";
        item.appendChild(text);
        item.appendChild(element("span", "meta", [time(message.at), message.kind, message.status,
          message.segments + (message.segments === 1 ? " segment" : " segments"), message.encoding].join(" · ")));
        return item;
      }));
      this.inbox.scrollTop = this.inbox.scrollHeight;
    }

    log(event) {
      const item = element("li");
      const rows = [];
      if (event.kind === "ussd") {
        item.appendChild(element("strong", null, "USSD hop"));
        rows.push(["time", time(event.at)], ["screen", event.screen || "(answered from the session cache)"]);
        if (event.came_from) rows.push(["from", event.came_from]);
        rows.push(["input", event.input === null || event.input === undefined ? "(dialled)" : JSON.stringify(event.input)]);
        if (event.effects && event.effects.length) rows.push(["effects", event.effects.map((e) => e[0] + " → " + e[1]).join(", ")]);
        if (event.funnel && event.funnel.length) rows.push(["funnel", event.funnel.map((e) => e[0] + " " + e[1]).join(", ")]);
        if (event.elapsed_ms !== undefined) rows.push(["server", event.elapsed_ms + " ms, HTTP " + event.http]);
        if (event.end) rows.push(["session", "END"]);
      } else if (event.kind === "ussd_end") {
        item.appendChild(element("strong", null, "USSD session ended"));
        rows.push(["time", time(event.at)], ["status", event.status + " (" + event.reason + ")"]);
      } else if (event.kind === "sms_in") {
        item.appendChild(element("strong", null, "SMS sent to Rabta"));
        rows.push(["time", time(event.at)], ["text", event.text], ["command", event.command],
          ["via", event.provider + ", HTTP " + event.http], ["size", event.segments + " × " + event.encoding]);
      } else if (event.kind === "sms_out") {
        item.appendChild(element("strong", null, "SMS from Rabta"));
        rows.push(["time", time(event.at)], ["kind", event.message_kind], ["text", event.masked],
          ["status", event.status + " via " + event.provider], ["size", event.segments + " × " + event.encoding]);
      }
      const list = element("dl");
      for (const [name, value] of rows) {
        list.appendChild(element("dt", null, name));
        const dd = element("dd", null, value);
        dd.dir = "auto";
        list.appendChild(dd);
      }
      item.appendChild(list);
      this.events.appendChild(item);
      item.scrollIntoView({ block: "nearest" });
    }
  }

  async function addPhone(raw) {
    const answer = await call("/inbox?phone=" + encodeURIComponent(raw));
    if (!answer.ok) { say(answer.data.error || "That number cannot be used."); return; }
    const number = answer.data.phone;
    if (phones.has(number)) { say(number + " is already here."); return; }
    say("");
    phones.set(number, new Phone(number));
  }

  document.getElementById("add-phone").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = document.getElementById("new-number");
    const raw = field.value.trim();
    if (!raw) { say("Type a phone number first."); return; }
    field.value = "";
    addPhone(raw);
  });

  addPhone(body.dataset.first);
})();
