namespace Piximi.Sweep.Tests.Shared;

/// <summary>
/// A script run in a page of the report or the dashboard that lists every way its layout hides a number, one line
/// each; empty when none.
/// Kept out of the report itself: the test injects it. What it measures, from bounding boxes:
/// <list type="bullet">
/// <item>the page scrolls sideways at its viewport;</item>
/// <item>an element spills out of its frame (a section, card, figure, header) or is cut off by an ancestor that clips
/// (overflow hidden) — elements inside a scroll box may extend past it, they are reachable, but the scroll box itself
/// must stay inside its frame;</item>
/// <item>text cut short with an ellipsis and no title to read it whole;</item>
/// <item>a confusion-matrix diagonal cell scrolled into view without its row and column labels beside it, or a cell
/// whose number is clipped;</item>
/// <item>the trials table scrolled fully right (and back) without trial, state and the ranking metric in view;</item>
/// <item>a navigation link within the page to a section that is missing or has nothing but a sentence in it.</item>
/// </list>
/// </summary>
internal static class LayoutProbe
{
    public const string Script = """
        (metric) => {
          const problems = [];
          const say = (text) => { if (problems.length < 40) problems.push(text); };
          const name = (el) => {
            const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
            return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "")
              + (text ? ' "' + text + '"' : "");
          };
          const style = (el) => getComputedStyle(el);
          const scrolls = (s) => ["auto", "scroll"].includes(s.overflowX) || ["auto", "scroll"].includes(s.overflowY);
          const clips = (s) => ["hidden", "clip"].includes(s.overflowX) || ["hidden", "clip"].includes(s.overflowY);
          const frame = (el) => ["SECTION", "FIGURE", "HEADER", "FOOTER"].includes(el.tagName) || el.classList.contains("card");
          const inside = (r, box, slack) => r.left >= box.left - slack && r.right <= box.right + slack && r.top >= box.top - slack && r.bottom <= box.bottom + slack;
          const visibleBox = (el) => { const r = el.getBoundingClientRect(); return { left: r.left + el.clientLeft, top: r.top + el.clientTop, right: r.left + el.clientLeft + el.clientWidth, bottom: r.top + el.clientTop + el.clientHeight }; };
          const scrollBox = (el) => { for (let a = el.parentElement; a; a = a.parentElement) if (scrolls(style(a))) return a; return null; };

          const doc = document.documentElement;
          if (doc.scrollWidth > doc.clientWidth + 1) say("the page scrolls sideways: " + doc.scrollWidth + " px wide at a " + doc.clientWidth + " px viewport");

          const reported = new Set();
          for (const el of document.body.querySelectorAll("*")) {
            if (el.closest("script, style, svg") || reported.has(el.parentElement)) { if (reported.has(el.parentElement)) reported.add(el); continue; }
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
              const s = style(a);
              if (scrolls(s)) break;
              if (clips(s) || frame(a)) {
                const box = clips(s) ? visibleBox(a) : a.getBoundingClientRect();
                if (!inside(r, box, 1.5)) {
                  say(name(el) + (clips(s) ? " is cut off by " : " spills out of ") + name(a) + ": [" + Math.round(r.left) + ", " + Math.round(r.right)
                    + "] against [" + Math.round(box.left) + ", " + Math.round(box.right) + "]");
                  reported.add(el);
                }
                break;
              }
            }
            if (r.right > doc.clientWidth + 1 && !scrollBox(el) && !reported.has(el)) { say(name(el) + " reaches past the viewport: right " + Math.round(r.right)); reported.add(el); }
            const s = style(el);
            if (s.textOverflow === "ellipsis" && el.scrollWidth > el.clientWidth + 1 && !el.title && !(el.parentElement && el.parentElement.title))
              say(name(el) + " is cut short with no title to read it whole");
          }

          const seen = (el, box) => inside(el.getBoundingClientRect(), visibleBox(box), 1.5);
          document.querySelectorAll("table.confusion, table#confusion").forEach((table) => {
            const box = scrollBox(table);
            const heads = table.tHead.rows[0].cells;
            Array.prototype.forEach.call(table.tBodies[0].rows, (row, k) => {
              const cell = row.cells[k + 1], label = row.cells[0], column = heads[k + 1];
              cell.scrollIntoView({ block: "nearest", inline: "nearest" });
              if (cell.scrollWidth > cell.clientWidth + 1) say("confusion cell " + k + "," + k + " clips its number " + cell.textContent.trim());
              if (box && !seen(cell, box)) say("confusion diagonal " + k + " is not in view when scrolled to");
              if (box && !seen(label, box)) say("confusion diagonal " + k + " in view without its row label '" + label.textContent.trim() + "'");
              if (box && !seen(column, box)) say("confusion diagonal " + k + " in view without its column label '" + column.textContent.trim() + "'");
            });
            if (box) { box.scrollLeft = 0; box.scrollTop = 0; }
          });

          const trials = document.getElementById("trial-table");
          if (trials) {
            const box = scrollBox(trials);
            const heads = Array.prototype.map.call(trials.tHead.rows[0].cells, (h) => h.textContent.trim());
            const wanted = ["trial", "state", metric].map((h) => [h, heads.indexOf(h)]);
            wanted.filter(([, i]) => i < 0).forEach(([h]) => say("the trials table has no '" + h + "' column"));
            if (box) {
              [box.scrollWidth, 0].forEach((left) => {
                box.scrollLeft = left;
                Array.prototype.slice.call(trials.tBodies[0].rows, 0, 3).forEach((row, n) => wanted.filter(([, i]) => i >= 0).forEach(([h, i]) => {
                  if (!seen(row.cells[i], box)) say("trials table scrolled to " + left + ": row " + (n + 1) + "'s " + h + " is out of view");
                }));
              });
            }
          }

          document.querySelectorAll("nav a[href^='#']").forEach((a) => {
            const target = document.getElementById(a.getAttribute("href").slice(1));
            if (!target) { say("navigation link '" + a.textContent + "' leads nowhere"); return; }
            if (!target.querySelector("table, img, svg, canvas, dl, figure, .card")) say("navigation link '" + a.textContent + "' leads to a section with nothing in it");
          });
          return problems;
        }
        """;
}
