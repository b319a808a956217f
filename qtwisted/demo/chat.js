// The chat page of `make run`: one WebSocket to the page's own host and
// port; every message typed is sent, every message received (the
// broadcast app sends each one to every client) is shown.
//
// window.chat is for tests: chat.received lists the messages received,
// chat.state is "connecting", "open" or "closed", chat.send(text) sends.
"use strict";
(function () {
  var status = document.getElementById("status");
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("message");
  var button = document.getElementById("send");
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var url = new URLSearchParams(location.search).get("ws") || scheme + location.host + "/";
  var chat = { received: [], state: "connecting", closeCode: null, send: null };
  window.chat = chat;

  function show(text, system) {
    var item = document.createElement("li");
    item.textContent = text;
    if (system) item.className = "system";
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  var ws = new WebSocket(url);
  chat.send = function (text) { ws.send(text); };
  ws.onopen = function () {
    chat.state = status.textContent = "open";
    input.disabled = button.disabled = false;
    input.focus();
  };
  ws.onmessage = function (event) {
    chat.received.push(event.data);
    show(event.data, false);
  };
  ws.onclose = function (event) {
    chat.state = "closed";
    chat.closeCode = event.code;
    status.textContent = "closed (" + event.code + ")";
    input.disabled = button.disabled = true;
    show("disconnected", true);
  };
  form.onsubmit = function (event) {
    event.preventDefault();
    if (input.value) ws.send(input.value);
    input.value = "";
  };
}());
