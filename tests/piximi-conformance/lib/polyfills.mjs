// Browser APIs that Piximi's upload path uses and Node 20 lacks. Node 20 has File and Blob (used as they are);
// it has no FileReader, which tf.io.browserFiles (tfjs-core 4.2.0 dist/io/browser_files.js: BrowserFiles.load and
// loadWeightsFile) and JSZip 3.10.1 (lib/utils.js prepareContent, for a File handed to loadAsync) call.
//
// Only what those callers use: readAsText / readAsArrayBuffer, `result`, and onload / onerror called with an event
// whose `target` is the reader. As in a browser the events fire asynchronously, and an exception thrown by a handler
// is not passed on to whoever started the read: a browser reports it to the page (window.onerror) and carries on.
// tfjs's onload handler runs JSON.parse, so a .json that is not JSON makes tfjs's load promise never settle in a
// browser; the same happens here, and the exception is kept in `uncaughtHandlerErrors` so the harness can say so.

export const uncaughtHandlerErrors = [];

class FileReaderPolyfill {
  constructor() {
    this.result = null;
    this.error = null;
    this.readyState = 0; // EMPTY
    this.onload = null;
    this.onerror = null;
  }

  #read(blob, how) {
    this.readyState = 1; // LOADING
    const reading = how === "text" ? blob.text() : blob.arrayBuffer();
    reading.then(
      (value) => {
        this.readyState = 2; // DONE
        this.result = value;
        this.#fire(this.onload);
      },
      (err) => {
        this.readyState = 2;
        this.error = err;
        this.#fire(this.onerror);
      },
    );
  }

  #fire(handler) {
    if (typeof handler !== "function") return;
    try {
      handler.call(this, { target: this, type: handler === this.onload ? "load" : "error" });
    } catch (err) {
      uncaughtHandlerErrors.push(err);
    }
  }

  readAsText(blob) {
    this.#read(blob, "text");
  }

  readAsArrayBuffer(blob) {
    this.#read(blob, "arraybuffer");
  }
}

if (typeof globalThis.FileReader === "undefined") globalThis.FileReader = FileReaderPolyfill;
if (typeof globalThis.File === "undefined") throw new Error("Node's global File is required (Node 20 or newer)");
