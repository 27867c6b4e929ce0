// Rabta API docs: renders /openapi.json and lets you try requests. Own code, no dependencies.
"use strict";

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  });
  (children || []).forEach((child) => node.appendChild(typeof child === "string" ? document.createTextNode(child) : child));
  return node;
}

function resolve(doc, schema) {
  if (schema && schema.$ref) return doc.components.schemas[schema.$ref.split("/").pop()] || {};
  return schema || {};
}

function typeOf(doc, schema, depth) {
  schema = schema || {};
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.anyOf) return schema.anyOf.map((s) => typeOf(doc, s, depth)).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === "array") return typeOf(doc, schema.items, depth) + "[]";
  if (schema.format) return schema.type + " (" + schema.format + ")";
  return schema.type || "any";
}

// A skeleton body for "try it", from the schema's required fields and examples.
function example(doc, schema, depth) {
  schema = resolve(doc, schema);
  if (depth > 4) return null;
  if (schema.examples) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.anyOf) return example(doc, schema.anyOf[0], depth + 1);
  if (schema.enum) return schema.enum[0];
  if (schema.type === "object" || schema.properties) {
    const out = {};
    const required = schema.required || Object.keys(schema.properties || {});
    required.forEach((name) => { out[name] = example(doc, (schema.properties || {})[name], depth + 1); });
    return out;
  }
  if (schema.type === "array") return [];
  if (schema.type === "integer" || schema.type === "number") return schema.minimum || schema.exclusiveMinimum + 1 || 0;
  if (schema.type === "boolean") return true;
  if (schema.format === "date") return new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10);
  return "";
}

function schemaTable(doc, schema) {
  const resolved = resolve(doc, schema);
  const rows = Object.entries(resolved.properties || {}).map(([name, prop]) => el("tr", {}, [
    el("td", {}, [el("code", { text: name })]),
    el("td", { text: typeOf(doc, prop, 0) }),
    el("td", { text: (resolved.required || []).includes(name) ? "required" : "" }),
    el("td", { text: prop.description || resolve(doc, prop).description || "" }),
  ]));
  if (!rows.length) return el("pre", { text: JSON.stringify(resolved, null, 2) });
  return el("table", {}, [el("tr", {}, ["Field", "Type", "", "About"].map((h) => el("th", { text: h })))].concat(rows));
}

function tryIt(doc, method, path, op) {
  const form = el("form", { class: "try" });
  const params = (op.parameters || []).filter((p) => p.name !== "Accept-Language");
  const inputs = params.map((p) => {
    const input = el("input", { name: p.name, "data-in": p.in, placeholder: p.required ? "required" : "optional" });
    form.appendChild(el("label", { text: p.name + " (" + p.in + ")" }, [input]));
    return input;
  });
  let body = null;
  if (op.requestBody) {
    const schema = op.requestBody.content["application/json"].schema;
    body = el("textarea", { rows: "6", name: "body" });
    body.value = JSON.stringify(example(doc, schema, 0), null, 2);
    form.appendChild(el("label", { text: "JSON body" }, [body]));
  }
  const output = el("pre", { class: "result", text: "" });
  form.appendChild(el("button", { type: "submit", text: "Send " + method.toUpperCase() }));
  form.appendChild(output);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let url = path;
    const query = new URLSearchParams();
    const headers = { "Accept-Language": navigator.language || "en" };
    inputs.forEach((input) => {
      if (!input.value) return;
      const where = input.getAttribute("data-in");
      if (where === "path") url = url.replace("{" + input.name + "}", encodeURIComponent(input.value));
      else if (where === "query") query.append(input.name, input.value);
      else if (where === "header") headers[input.name] = input.value;
    });
    const token = document.getElementById("token").value.trim();
    if (token) headers.Authorization = "Bearer " + token;
    if (body) headers["Content-Type"] = "application/json";
    const qs = query.toString();
    try {
      const response = await fetch(url + (qs ? "?" + qs : ""), { method: method.toUpperCase(), headers, body: body ? body.value : undefined });
      const text = await response.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (ignored) { /* not JSON */ }
      output.textContent = response.status + " " + response.statusText + "\n" + shown;
    } catch (error) {
      output.textContent = "Request failed: " + error;
    }
  });
  return form;
}

function renderOperation(doc, method, path, op) {
  const summary = el("summary", {}, [
    el("span", { class: "method " + method, text: method.toUpperCase() }),
    el("span", { class: "path", text: path }),
    el("span", { class: "summary", text: op.summary || "" }),
  ]);
  if (op.security && op.security.length) summary.appendChild(el("span", { class: "lock", text: Object.keys(op.security[0])[0] }));
  const body = el("div", { class: "body" });
  if (op.description) body.appendChild(el("p", { text: op.description }));
  const params = op.parameters || [];
  if (params.length) {
    body.appendChild(el("h4", { text: "Parameters" }));
    body.appendChild(el("table", {}, [el("tr", {}, ["Name", "In", "Type", ""].map((h) => el("th", { text: h })))].concat(
      params.map((p) => el("tr", {}, [el("td", {}, [el("code", { text: p.name })]), el("td", { text: p.in }),
        el("td", { text: typeOf(doc, p.schema, 0) }), el("td", { text: p.required ? "required" : "" })])))));
  }
  if (op.requestBody) {
    body.appendChild(el("h4", { text: "Request body (application/json)" }));
    body.appendChild(schemaTable(doc, op.requestBody.content["application/json"].schema));
  }
  body.appendChild(el("h4", { text: "Responses" }));
  Object.entries(op.responses || {}).forEach(([status, response]) => {
    const content = response.content ? Object.entries(response.content)[0] : null;
    body.appendChild(el("p", {}, [el("strong", { text: status }), " " + (response.description || "") +
      (content ? " — " + content[0] + " " + typeOf(doc, content[1].schema, 0) : "")]));
  });
  body.appendChild(el("h4", { text: "Try it" }));
  body.appendChild(tryIt(doc, method, path, op));
  return el("details", { class: "op", id: op.operationId, "data-method": method, "data-path": path }, [summary, body]);
}

async function main() {
  const intro = document.getElementById("intro");
  let doc;
  try {
    const response = await fetch("/openapi.json");
    doc = await response.json();
  } catch (error) {
    intro.textContent = "Could not load /openapi.json: " + error;
    intro.className = "error";
    return;
  }
  intro.textContent = doc.info.description + " Version " + doc.info.version + ", OpenAPI " + doc.openapi + ".";
  const toc = document.getElementById("toc");
  const main = document.getElementById("operations");
  const byTag = {};
  Object.entries(doc.paths).forEach(([path, item]) => Object.entries(item).forEach(([method, op]) => {
    const tag = (op.tags || ["Other"])[0];
    (byTag[tag] = byTag[tag] || []).push([method, path, op]);
  }));
  Object.entries(byTag).forEach(([tag, ops]) => {
    toc.appendChild(el("h2", { text: tag }));
    toc.appendChild(el("ul", {}, ops.map(([method, path, op]) => el("li", {}, [
      el("a", { href: "#" + op.operationId, text: method.toUpperCase() + " " + path })]))));
    main.appendChild(el("h2", { text: tag }));
    ops.forEach(([method, path, op]) => main.appendChild(renderOperation(doc, method, path, op)));
  });
  document.body.setAttribute("data-ready", "true");
}

document.addEventListener("DOMContentLoaded", main);
