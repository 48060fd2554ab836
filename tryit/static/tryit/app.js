// The try-it page: plain JavaScript calling the service's own API, nothing loaded from elsewhere.
// Text from the service is only ever put in the page as text (textContent), never as HTML.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("tryit-config").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  // The colours of a word's box, by confidence: the same thresholds as the highlighted PDF export.
  const SURE_FROM = 0.9;
  const DOUBTFUL_FROM = 0.6;

  // Tokens live in this closure only: gone with the page, never in storage a script could read.
  const session = { access: null, refresh: null, name: null };
  // Images read in this page, by record id: the service keeps readings, not images.
  const imagesByRecord = new Map();

  class ApiError extends Error {}

  // ---- Elements ----------------------------------------------------------------------------

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  }

  function svgElement(tag, attributes = {}) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  function showError(id, message) {
    const node = document.getElementById(id);
    node.textContent = message || "";
    node.hidden = !message;
  }

  // ---- The API -----------------------------------------------------------------------------

  async function api(path, options = {}, retried = false) {
    const headers = new Headers(options.headers || {});
    if (session.access) headers.set("Authorization", `Bearer ${session.access}`);
    let response;
    try {
      response = await fetch(path, { ...options, headers });
    } catch (error) {
      throw new ApiError("The service could not be reached. Is it running?");
    }
    if (response.status === 401 && session.refresh && !retried && (await refreshTokens())) {
      return api(path, options, true);
    }
    if (response.status === 401) {
      signedOut();
      throw new ApiError("Sign in first: this service needs an account.");
    }
    if (!response.ok) throw new ApiError(await errorMessage(response));
    return response;
  }

  // The service's errors are {"detail": ..., "code": ...}, or {"<field>": ["<why>", ...]}.
  async function errorMessage(response) {
    let body;
    try {
      body = await response.json();
    } catch (error) {
      return `The service answered ${response.status} ${response.statusText}.`;
    }
    if (Array.isArray(body.results)) {
      const reasons = body.results.filter((result) => result.error).map((result) => `${result.name}: ${result.error.detail}`);
      return [body.detail, ...reasons].filter(Boolean).join("\n");
    }
    if (typeof body.detail === "string") return body.detail;
    return reasonsOf(body).join("\n");
  }

  // A 400's reasons, however deep: {"fields": {"0": {"pattern": ["..."]}}} is "fields 0 pattern: ...".
  function reasonsOf(body, path = []) {
    if (Array.isArray(body) && body.every((reason) => typeof reason === "string")) return [`${path.join(" ")}: ${body.join(" ")}`];
    if (body && typeof body === "object") return Object.entries(body).flatMap(([key, value]) => reasonsOf(value, [...path, key]));
    return [`${path.join(" ")}: ${body}`];
  }

  async function postJson(path, data) {
    return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });
  }

  // ---- Signing in --------------------------------------------------------------------------

  function signedOut() {
    Object.assign(session, { access: null, refresh: null, name: null });
    document.getElementById("session").hidden = true;
    document.getElementById("login").hidden = false;
  }

  async function signIn(event) {
    event.preventDefault();
    const form = event.target;
    showError("login-error", "");
    try {
      const response = await postJson(config.urls.login, { username: form.username.value, password: form.password.value });
      const tokens = await response.json();
      Object.assign(session, { access: tokens.access_token, refresh: tokens.refresh_token, name: tokens.nickname });
    } catch (error) {
      showError("login-error", error.message);
      return;
    }
    form.reset();
    document.getElementById("login").hidden = true;
    document.getElementById("session-name").textContent = session.name;
    document.getElementById("session").hidden = false;
    refreshHistory();
  }

  async function refreshTokens() {
    try {
      const response = await fetch(config.urls.refresh, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: session.refresh }),
      });
      if (!response.ok) return false;
      const tokens = await response.json();
      Object.assign(session, { access: tokens.access_token, refresh: tokens.refresh_token });
      return true;
    } catch (error) {
      return false;
    }
  }

  // ---- Reading images ----------------------------------------------------------------------

  function mode() {
    return document.querySelector('input[name="mode"]:checked').value;
  }

  function isPdf(file) {
    return file.type === "application/pdf" || /\.pdf$/i.test(file.name);
  }

  async function readFiles(files) {
    showError("upload-error", "");
    const images = [...files];
    if (!images.length) return;
    if (mode() === "fields") {
      // Each file's fields, one document at a time (a PDF too: extract reads it page by page).
      for (const file of images) {
        const card = resultCard(file.name, isPdf(file) ? null : URL.createObjectURL(file));
        document.getElementById("results").prepend(card.node);
        await readFields(file, card);
      }
      refreshHistory();
      return;
    }
    // PDFs, and more files than one request reads, go to a task: read page by page in the background.
    if (images.some(isPdf) || images.length > config.maxImagesPerRequest) {
      try {
        await readAsTask(images);
      } finally {
        refreshHistory();
      }
      return;
    }
    const cards = images.map((file) => {
      const card = resultCard(file.name, URL.createObjectURL(file));
      document.getElementById("results").prepend(card.node);
      return card;
    });
    try {
      if (mode() === "letters") {
        for (const [index, file] of images.entries()) await readLetters(file, cards[index]);
      } else {
        await readText(images, cards);
      }
    } finally {
      refreshHistory();
    }
  }

  async function readLetters(file, card) {
    const form = new FormData();
    form.append("image", file);
    try {
      const response = await api(config.urls.parseLetter, { method: "POST", body: form });
      const answer = await response.json();
      // v1.0.0's answer is the letters alone; the record and whether it was cached come in headers.
      const recordId = response.headers.get("X-OCR-Record-ID");
      const record = await (await api(`${config.urls.records}${recordId}/`)).json();
      imagesByRecord.set(String(recordId), card.imageUrl);
      card.show({
        recordId, md5: record.image_md5, size: record.image_size, cached: response.headers.get("X-OCR-Cache") === "hit",
        letters: answer.content,
      });
    } catch (error) {
      card.fail(error.message);
    }
  }

  async function readFields(file, card) {
    const form = new FormData();
    form.append("file", file);
    form.append("card", document.getElementById("card").value);
    try {
      card.showFields(await (await api(config.urls.extract, { method: "POST", body: form })).json());
    } catch (error) {
      card.fail(error.message);
    }
  }

  // The cards a document's fields can be read by, in the card picker (once signed in, if needed).
  async function loadCards() {
    const select = document.getElementById("card");
    if (select.options.length) return;
    try {
      const answer = await (await api(config.urls.cards)).json();
      for (const card of answer.results) select.append(element("option", { value: card.slug, text: card.name }));
    } catch (error) {
      showError("upload-error", error.message);
    }
  }

  async function readText(files, cards) {
    const form = new FormData();
    for (const file of files) form.append("image", file);
    form.append("lang", document.getElementById("lang").value);
    form.append("detect_direction", document.getElementById("detect-direction").checked ? "true" : "false");
    let answer;
    try {
      answer = await (await api(config.urls.parseText, { method: "POST", body: form })).json();
    } catch (error) {
      cards.forEach((card) => card.fail(error.message));
      return;
    }
    answer.results.forEach((result, index) => {
      if (result.error) {
        cards[index].fail(result.error.detail);
        return;
      }
      imagesByRecord.set(String(result.record_id), cards[index].imageUrl);
      cards[index].show(readingOf(result));
    });
  }

  // A parse_text result as a result card shows it.
  function readingOf(result) {
    return {
      recordId: result.record_id, md5: result.image_md5, size: result.image_size, cached: result.cached,
      width: result.width, height: result.height, direction: result.direction, text: result.text, lines: result.lines,
    };
  }

  // ---- Documents and batches: a task ------------------------------------------------------

  const FINISHED = new Set(["succeeded", "failed"]);
  const DOWNLOADS = [["pdf", "PDF"], ["txt", "Text"], ["json", "JSON"], ["hocr", "hOCR"], ["alto", "ALTO"]];

  async function readAsTask(files) {
    const form = new FormData();
    for (const file of files) form.append("files", file);
    form.append("async_task", "true");
    form.append("lang", document.getElementById("lang").value);
    form.append("detect_direction", document.getElementById("detect-direction").checked ? "true" : "false");
    let task;
    try {
      task = await (await api(config.urls.tasks, { method: "POST", body: form })).json();
    } catch (error) {
      showError("upload-error", error.message);
      return;
    }
    const cards = new Map();
    for (const item of [...task.items].reverse()) {
      const card = taskFileCard(task.id, item);
      cards.set(item.id, card);
      document.getElementById("results").prepend(card.node);
    }
    await followTask(task.id, (progress) => {
      for (const item of progress.items) cards.get(item.id)?.update(item);
    });
  }

  // Server-sent events where the browser may open them (EventSource sends no Authorization
  // header: with accounts, and when the server has no stream to spare, the page polls instead).
  function followTask(taskId, onProgress) {
    const detailUrl = `${config.urls.tasks}${taskId}/`;
    return new Promise((resolve) => {
      const poll = async () => {
        try {
          const detail = await (await api(detailUrl)).json();
          onProgress(detail);
          if (FINISHED.has(detail.status)) return resolve(detail);
        } catch (error) {
          showError("upload-error", error.message);
        }
        setTimeout(poll, 1000);
      };
      if (config.authRequired || !window.EventSource) return poll();
      const source = new EventSource(`${detailUrl}events/`);
      let last = null;
      source.addEventListener("progress", (event) => {
        last = JSON.parse(event.data);
        onProgress(last);
      });
      source.addEventListener("end", () => {
        source.close();
        resolve(last);
      });
      source.addEventListener("deleted", () => {
        source.close();
        resolve(null);
      });
      source.addEventListener("error", () => {
        if (source.readyState === EventSource.CLOSED) poll(); // refused (503): it will not reconnect
      });
    });
  }

  // A card per file of a task: its progress bar while it is read, then its pages and downloads.
  function taskFileCard(taskId, item) {
    const fileUrl = `${config.urls.tasks}${taskId}/items/${item.id}`;
    const status = element("span", { className: "badge", text: "waiting…" });
    const bar = element("progress", { max: "1", value: "0" });
    const count = element("span", { className: "progress-text" });
    const body = element("div", { className: "task-body" }, element("div", { className: "progress-row" }, bar, count));
    const node = element("article", { className: "result task-file reading" }, element("header", {}, element("h3", { text: item.origin_name }), status), body);
    node.dataset.itemId = item.id;
    let finished = false;

    const card = {
      node,
      update(progress) {
        if (finished) return;
        bar.max = Math.max(progress.pages, 1);
        bar.value = progress.pages_done;
        count.textContent = progress.pages ? `${progress.pages_done} / ${progress.pages} pages` : "";
        status.textContent = { pending: "waiting…", running: "reading…", succeeded: "read", failed: "not read" }[progress.status];
        if (FINISHED.has(progress.status)) {
          finished = true;
          node.classList.remove("reading");
          done(progress);
        }
      },
    };

    function done(progress) {
      if (progress.error) body.append(element("p", { className: "error", role: "alert", text: progress.error }));
      if (progress.status === "failed") {
        node.classList.add("failed");
        return;
      }
      status.classList.add("fresh");
      const pages = element("div", { className: "page-buttons" }, element("span", { className: "hint", text: "Open a page:" }));
      for (let number = 1; number <= progress.pages; number++) {
        const button = element("button", { type: "button", className: "page-button", text: String(number) });
        button.addEventListener("click", () => openTaskPage(fileUrl, progress.origin_name, number));
        pages.append(button);
      }
      const downloads = element("div", { className: "downloads" }, element("span", { className: "hint", text: "Download:" }));
      for (const [format, label] of DOWNLOADS) {
        const button = element("button", { type: "button", className: "download", text: label });
        button.dataset.format = format;
        button.addEventListener("click", () => download(`${fileUrl}/export/?format=${format}`, button));
        downloads.append(button);
      }
      body.append(pages, downloads);
    }
    return card;
  }

  async function openTaskPage(fileUrl, name, number) {
    let reading, imageUrl;
    try {
      const [pages, image] = await Promise.all([
        api(`${fileUrl}/pages/?page=${number}&page_size=1`).then((response) => response.json()),
        api(`${fileUrl}/pages/${number}/image/`).then((response) => response.blob()),
      ]);
      reading = pages.results[0];
      imageUrl = URL.createObjectURL(image);
    } catch (error) {
      showError("upload-error", error.message);
      return;
    }
    const card = resultCard(`${name}, page ${number}`, imageUrl);
    card.node.dataset.page = number;
    document.getElementById("results").prepend(card.node);
    card.node.scrollIntoView({ block: "nearest" });
    if (reading.status !== "succeeded") card.fail(reading.error || "This page is not read yet.");
    else card.show({ recordId: reading.record_id, ...reading });
  }

  // Fetched (with the page's credentials, if any) and handed to the browser as a file. A PDF is
  // made by a task worker once the file is read: asked again while the answer is 202.
  async function download(url, button) {
    button.disabled = true;
    try {
      let response = await api(url);
      for (let tries = 0; response.status === 202 && tries < 120; tries++) {
        const seconds = Number(response.headers.get("Retry-After")) || 1;
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
        response = await api(url);
      }
      const disposition = response.headers.get("Content-Disposition") || "";
      const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || "export";
      const link = element("a", { href: URL.createObjectURL(await response.blob()), download: name });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      showError("upload-error", error.message);
    } finally {
      button.disabled = false;
    }
  }

  // ---- One result --------------------------------------------------------------------------

  // A card for an image: shown at once with the image, filled in when the answer comes.
  function resultCard(title, imageUrl) {
    const status = element("span", { className: "badge", text: "reading…" });
    const body = element("div", { className: "result-body" });
    const node = element("article", { className: "result reading" }, element("header", {}, element("h3", { text: title }), status), body);
    const figure = element("figure", { className: "page" });
    const frame = element("div", { className: "frame" });
    if (imageUrl) {
      const picture = element("img", { src: imageUrl, alt: title });
      // A file the browser cannot show (not an image at all): no broken-image icon, only the error.
      picture.addEventListener("error", () => figure.remove());
      frame.append(picture);
    }
    figure.append(frame);
    body.append(figure);

    return {
      node,
      imageUrl,
      show(reading) {
        node.classList.remove("reading");
        node.dataset.recordId = reading.recordId;
        if (reading.cached === undefined) {
          status.remove();
        } else {
          status.textContent = reading.cached ? "from the cache" : "newly read";
          status.classList.add(reading.cached ? "cached" : "fresh");
        }
        if (reading.lines) drawBoxes(frame, reading, !imageUrl);
        else if (!imageUrl) figure.remove();
        body.append(readingPanel(reading, frame));
      },
      // A document's fields: each boxed over the image in its card colour, and listed beside it.
      async showFields(answer) {
        node.classList.remove("reading");
        status.textContent = `${Math.round(answer.confidence * 100)}% sure`;
        const image = frame.querySelector("img");
        if (image) {
          await image.decode().catch(() => {});
          const svg = svgElement("svg", { class: "boxes", viewBox: `0 0 ${image.naturalWidth} ${image.naturalHeight}`, preserveAspectRatio: "none" });
          for (const field of answer.fields) {
            if (!field.location || field.page !== 1) continue;
            const box = svgElement("polygon", {
              class: "field-box", points: field.location.map(([x, y]) => `${x},${y}`).join(" "), stroke: field.color, fill: field.color,
            });
            box.dataset.key = field.key;
            const title = svgElement("title");
            title.textContent = `${field.name}: ${field.value}`;
            box.append(title);
            svg.append(box);
          }
          frame.append(svg);
        } else {
          figure.remove();
        }
        body.append(fieldsPanel(answer));
      },
      fail(message) {
        node.classList.remove("reading");
        node.classList.add("failed");
        status.textContent = "not read";
        body.append(element("p", { className: "error", role: "alert", text: message }));
      },
    };
  }

  function readingPanel(reading, frame) {
    const facts = element("dl", { className: "facts" });
    const fact = (name, value) => facts.append(element("dt", { text: name }), element("dd", { text: String(value) }));
    fact("record", `#${reading.recordId}`);
    if (reading.md5) fact("md5", reading.md5);
    if (reading.size !== undefined) fact("size", `${reading.size.toLocaleString("en")} bytes`);
    if (reading.direction) fact("turned", `${reading.direction}°`);
    const panel = element("div", { className: "reading-panel" }, facts);

    // A text reading's letters, as parse_letter counts them: its alphabetic characters (Python's
    // str.isalpha() is Unicode's letter categories, \p{L}).
    const letters = reading.letters || (reading.text !== undefined ? [...reading.text].filter((character) => /\p{L}/u.test(character)) : null);
    if (letters) {
      panel.append(
        element("h4", { text: `Letters (${letters.length})` }),
        element("ol", { className: "letters" }, ...letters.map((letter) => element("li", { text: letter }))),
      );
    }
    if (reading.lines) {
      const lines = element("div", { className: "lines" });
      reading.lines.forEach((line, index) => {
        const paragraph = element("p", { className: "line", text: line.text });
        paragraph.dataset.line = index;
        paragraph.addEventListener("mouseenter", () => highlightLine(frame, lines, index, true));
        paragraph.addEventListener("mouseleave", () => highlightLine(frame, lines, index, false));
        lines.append(paragraph);
      });
      if (!reading.lines.length) lines.append(element("p", { className: "hint", text: "No text was found." }));
      const copy = element("button", { type: "button", className: "copy", text: "Copy text" });
      copy.addEventListener("click", () => copyText(reading.text, copy));
      panel.append(element("div", { className: "text-head" }, element("h4", { text: "Text" }), copy), lines);
    }
    return panel;
  }

  function fieldsPanel(answer) {
    const list = element("dl", { className: "fields" });
    for (const field of answer.fields) {
      const swatch = element("span", { className: "swatch" });
      swatch.style.backgroundColor = field.color;
      const value = field.value === null ? "not found" : field.value;
      const normalized = field.normalized && field.normalized !== field.value ? `${field.normalized}; ` : "";
      const detail = field.value === null ? "" : ` (${normalized}${Math.round(field.confidence * 100)}%)`;
      const term = element("dt", {}, swatch, field.name);
      const description = element("dd", { text: value + detail });
      description.dataset.key = field.key;
      if (field.value === null) description.classList.add("missing");
      list.append(term, description);
    }
    const panel = element("div", { className: "reading-panel" }, element("h4", { text: `Fields (card: ${answer.card})` }), list);
    for (const group of answer.groups) {
      if (!group.rows.length) continue;
      const head = element("tr", {}, ...group.rows[0].map((field) => element("th", { text: field.name })));
      const rows = group.rows.map((row) => element("tr", {}, ...row.map((field) => element("td", { text: field.value ?? "" }))));
      panel.append(element("h4", { text: group.name }), element("table", { className: "group" }, head, ...rows));
    }
    return panel;
  }

  // The lines and words as polygons over the image, in its pixels (the SVG's viewBox), so that
  // they stay in place at any displayed size.
  function drawBoxes(frame, reading, blankPage) {
    const svg = svgElement("svg", { class: "boxes", viewBox: `0 0 ${reading.width} ${reading.height}`, preserveAspectRatio: "none" });
    if (blankPage) {
      frame.classList.add("blank");
      frame.style.aspectRatio = `${reading.width} / ${reading.height}`;
      svg.append(svgElement("rect", { class: "paper", width: reading.width, height: reading.height }));
    }
    const points = (location) => location.map(([x, y]) => `${x},${y}`).join(" ");
    reading.lines.forEach((line, index) => {
      const group = svgElement("g", { class: "line-group", "data-line": index });
      group.append(svgElement("polygon", { class: "line-box", points: points(line.location) }));
      for (const word of line.words) {
        const box = svgElement("polygon", { class: `word-box ${confidenceClass(word.confidence)}`, points: points(word.location) });
        box.dataset.text = word.text;
        box.dataset.confidence = word.confidence;
        const title = svgElement("title");
        title.textContent = `${word.text} (${Math.round(word.confidence * 100)}%)`;
        box.append(title);
        if (blankPage) {
          const [x, y] = word.location[3];
          const label = svgElement("text", { class: "word-label", x, y, "font-size": Math.max(word.location[3][1] - word.location[0][1], 8) * 0.8 });
          label.textContent = word.text;
          group.append(label);
        }
        group.append(box);
      }
      group.addEventListener("mouseenter", () => highlightLine(frame, frame.closest(".result").querySelector(".lines"), index, true));
      group.addEventListener("mouseleave", () => highlightLine(frame, frame.closest(".result").querySelector(".lines"), index, false));
      svg.append(group);
    });
    frame.append(svg);
  }

  function confidenceClass(confidence) {
    if (confidence >= SURE_FROM) return "sure";
    return confidence >= DOUBTFUL_FROM ? "doubtful" : "unsure";
  }

  function highlightLine(frame, lines, index, on) {
    frame.querySelector(`.line-group[data-line="${index}"]`)?.classList.toggle("active", on);
    lines?.querySelector(`.line[data-line="${index}"]`)?.classList.toggle("active", on);
  }

  async function copyText(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {
      // No clipboard API (a page not served over HTTPS or from localhost): the old way.
      const area = element("textarea", { className: "offscreen" });
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "Copied";
    setTimeout(() => (button.textContent = "Copy text"), 1500);
  }

  // ---- History -----------------------------------------------------------------------------

  let historyRequest = 0;

  async function refreshHistory() {
    const request = ++historyRequest;
    const query = new URLSearchParams({ page_size: "20", ordering: "-id" });
    const search = document.getElementById("history-search").value.trim();
    if (search) query.set("search", search);
    let page;
    try {
      page = await (await api(`${config.urls.records}?${query}`)).json();
    } catch (error) {
      showError("history-error", error.message);
      return;
    }
    if (request !== historyRequest) return; // a later search has answered, or will
    showError("history-error", "");
    const list = document.getElementById("history-list");
    list.replaceChildren(
      ...page.results.map((record) => {
        const open = element(
          "button",
          { type: "button", className: "record" },
          element("span", { className: "record-id", text: `#${record.id}` }),
          element("span", { className: "record-text", text: summary(record.content) || "(nothing read)" }),
          element("time", { datetime: record.created_at, text: new Date(record.created_at).toLocaleString() }),
        );
        open.dataset.recordId = record.id;
        open.addEventListener("click", () => openRecord(record.id));
        return element("li", {}, open);
      }),
    );
    if (!page.results.length) list.append(element("li", { className: "hint", text: search ? "No record matches." : "No records yet." }));
  }

  // Letters are one character each; a text record's content is its lines.
  function summary(content) {
    return content.every((item) => item.length === 1) ? content.join("") : content.join(" / ");
  }

  async function openRecord(recordId) {
    const imageUrl = imagesByRecord.get(String(recordId)) || null;
    const card = resultCard(`Record #${recordId}`, imageUrl);
    document.getElementById("results").prepend(card.node);
    card.node.scrollIntoView({ block: "nearest" });
    try {
      const record = await (await api(`${config.urls.records}${recordId}/result/`)).json();
      const reading = { recordId, md5: record.image_md5, size: record.image_size };
      if (record.kind === "text" && record.result) Object.assign(reading, record.result);
      else reading.letters = record.content;
      card.show(reading);
      if (!imageUrl && record.kind === "text") {
        card.node.querySelector(".result-body").append(
          element("p", { className: "hint", text: "The service keeps readings, not images: the boxes are drawn on a blank page of the image's size." }),
        );
      }
    } catch (error) {
      card.fail(error.message);
    }
  }

  // A link instead of a file: read by parse_text (or its fields by extract); the image is the
  // service's to fetch, so the page shows the reading on a blank page of its size.
  async function readLink(event) {
    event.preventDefault();
    showError("upload-error", "");
    const link = document.getElementById("url-input").value.trim();
    if (!link || mode() === "letters") return;
    const card = resultCard(link, null);
    document.getElementById("results").prepend(card.node);
    try {
      if (mode() === "fields") {
        card.showFields(await (await postJson(config.urls.extract, { card: document.getElementById("card").value, url: link })).json());
      } else {
        const answer = await (
          await postJson(config.urls.parseText, {
            url: link,
            lang: document.getElementById("lang").value,
            detect_direction: document.getElementById("detect-direction").checked,
          })
        ).json();
        const result = answer.results[0];
        if (result.error) card.fail(result.error.detail);
        else card.show(readingOf(result));
      }
    } catch (error) {
      card.fail(error.message);
    }
    refreshHistory();
  }

  // A card of one's own, made from an invoice2data template or a card's fields pasted in, and
  // chosen at once in the card picker.
  async function makeOwnCard() {
    showError("own-card-error", "");
    const source = document.getElementById("own-card-source").value;
    let body;
    if (document.getElementById("own-card-kind").value === "invoice2data") {
      body = { invoice2data: source };
    } else {
      try {
        body = JSON.parse(source);
      } catch (error) {
        showError("own-card-error", `This is no JSON: ${error.message}`);
        return;
      }
    }
    try {
      const card = await (await postJson(config.urls.cards, body)).json();
      const select = document.getElementById("card");
      await loadCards();
      select.append(element("option", { value: card.slug, text: `${card.name} (yours)` }));
      select.value = card.slug;
      document.getElementById("own-card-made").textContent = `Made the card “${card.name}” (${card.slug}): drop a file to read it.`;
    } catch (error) {
      showError("own-card-error", error.message);
    }
  }

  // ---- Wiring ------------------------------------------------------------------------------

  function syncOptions() {
    const text = mode() === "text";
    const fields = mode() === "fields";
    for (const option of document.querySelectorAll(".text-only")) option.classList.toggle("disabled", !text);
    for (const option of document.querySelectorAll(".fields-only")) option.classList.toggle("disabled", !fields);
    document.getElementById("lang").disabled = !text;
    document.getElementById("detect-direction").disabled = !text;
    document.getElementById("card").disabled = !fields;
    document.getElementById("own-card").hidden = !fields;
    document.querySelector("#url-form button").disabled = mode() === "letters";
    document.querySelector("#url-form .letters-off").hidden = mode() !== "letters";
    if (fields) loadCards();
  }

  function wire() {
    const dropzone = document.getElementById("dropzone");
    const input = document.getElementById("file-input");
    input.addEventListener("change", () => {
      readFiles(input.files);
      input.value = "";
    });
    dropzone.addEventListener("dragover", (event) => {
      event.preventDefault();
      dropzone.classList.add("over");
    });
    dropzone.addEventListener("dragleave", () => dropzone.classList.remove("over"));
    dropzone.addEventListener("drop", (event) => {
      event.preventDefault();
      dropzone.classList.remove("over");
      readFiles(event.dataTransfer.files);
    });
    dropzone.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") input.click();
    });
    for (const radio of document.querySelectorAll('input[name="mode"]')) radio.addEventListener("change", syncOptions);
    let searchTimer;
    document.getElementById("history-search").addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(refreshHistory, 250);
    });
    document.getElementById("login-form").addEventListener("submit", signIn);
    document.getElementById("own-card-make").addEventListener("click", makeOwnCard);
    document.getElementById("url-form").addEventListener("submit", readLink);
    document.getElementById("sign-out").addEventListener("click", () => {
      signedOut();
      document.getElementById("history-list").replaceChildren();
    });
    syncOptions();
    if (config.authRequired) signedOut();
    else refreshHistory();
    document.body.dataset.ready = "true";
  }

  wire();
})();
