/*
 * Icarus — small progressive enhancements. Every page works without it.
 *
 * Import upload (<form id="import-form" enctype="multipart/form-data">):
 * sends the form with XMLHttpRequest, shows upload progress in
 * <progress id="import-progress"> and puts the HTML fragment the server
 * returns into #import-result. The request carries the header
 * "X-Requested-With: XMLHttpRequest" so the server can answer with a
 * fragment instead of a full page (a full page also works: its
 * #import-result is used). All form fields, including the hidden csrf
 * input, are sent as they are. Optional data-i18n-error on the form
 * holds the translated failure message.
 */
(function () {
	"use strict";

	function enhanceImport(form) {
		var progress = document.getElementById("import-progress");
		var result = document.getElementById("import-result");
		if (!result || !window.FormData || !window.XMLHttpRequest) {
			return;
		}
		var failText = form.getAttribute("data-i18n-error") ||
			"The upload failed. Check your connection and try again.";
		var busy = false;

		function showResult(html) {
			var tpl = document.createElement("template");
			tpl.innerHTML = html;
			var frag = tpl.content;
			// A fragment that is itself the #import-result element replaces it;
			// anything else becomes its content.
			var own = frag.children.length === 1 && frag.firstElementChild.id === "import-result"
				? frag.firstElementChild
				: null;
			if (own) {
				result.replaceWith(own);
				result = own;
			} else {
				result.replaceChildren(frag);
			}
			if (!result.hasAttribute("tabindex")) {
				result.setAttribute("tabindex", "-1");
			}
			result.focus();
		}

		function showError() {
			var box = document.createElement("div");
			box.className = "error";
			box.setAttribute("role", "alert");
			box.textContent = failText;
			result.replaceChildren(box);
		}

		function setBusy(on) {
			busy = on;
			form.setAttribute("aria-busy", on ? "true" : "false");
			Array.prototype.forEach.call(form.querySelectorAll("button, input[type=submit]"), function (b) {
				b.disabled = on;
			});
			if (progress) {
				progress.hidden = !on;
				if (on) {
					progress.max = 100;
					progress.value = 0;
				}
			}
		}

		form.addEventListener("submit", function (ev) {
			if (busy) {
				ev.preventDefault();
				return;
			}
			var data;
			try {
				data = ev.submitter ? new FormData(form, ev.submitter) : new FormData(form);
			} catch (e) {
				data = new FormData(form); // browsers without the submitter argument
			}
			ev.preventDefault();

			// Attributes rather than form.action / form.method: a control
			// named "action" or "method" would shadow those properties.
			var sub = ev.submitter;
			var action = (sub && sub.getAttribute("formaction")) || form.getAttribute("action") || window.location.href;
			var method = (sub && sub.getAttribute("formmethod")) || form.getAttribute("method") || "POST";
			var xhr = new XMLHttpRequest();
			xhr.open(method.toUpperCase(), action);
			xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
			xhr.setRequestHeader("Accept", "text/html");

			xhr.upload.addEventListener("progress", function (e) {
				if (progress && e.lengthComputable) {
					progress.value = Math.round((e.loaded / e.total) * 100);
					progress.textContent = progress.value + "%";
				}
			});
			xhr.upload.addEventListener("load", function () {
				// Upload done; the server is now processing: indeterminate.
				if (progress) {
					progress.removeAttribute("value");
				}
			});
			xhr.addEventListener("load", function () {
				setBusy(false);
				var type = xhr.getResponseHeader("Content-Type") || "";
				var body = xhr.responseText || "";
				if (/<html[\s>]/i.test(body)) {
					// A full page: use its #import-result if it has one,
					// otherwise (e.g. the sign-in page after the session
					// expired) let the browser show it.
					var page = new DOMParser().parseFromString(body, "text/html");
					var part = page.getElementById("import-result");
					if (part) {
						showResult(part.outerHTML);
					} else {
						window.location.assign(xhr.responseURL || action);
					}
					return;
				}
				if (type.indexOf("text/html") === 0 && body.trim() !== "") {
					showResult(body);
				} else {
					showError();
				}
			});
			xhr.addEventListener("error", function () {
				setBusy(false);
				showError();
			});
			xhr.addEventListener("abort", function () {
				setBusy(false);
			});

			setBusy(true);
			xhr.send(data);
		});
	}

	function init() {
		var importForm = document.getElementById("import-form");
		if (importForm) {
			enhanceImport(importForm);
		}
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", init);
	} else {
		init();
	}
})();
