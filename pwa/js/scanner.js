/**
 * The camera loop: rear camera → a reduced frame → QR decoder → onCode(text).
 *
 *   const scanner = createScanner({ video, onCode: (text, how) => ..., onError });
 *   await scanner.start();  scanner.pause();  scanner.resume();  scanner.stop();
 *   const text = await decodeImageFile(file);   // "pick a photo" when the camera fails
 *
 * Decoder: the browser's BarcodeDetector when getSupportedFormats() includes qr_code (Android
 * Chrome), else the vendored jsQR 1.4.0 (pwa/vendor/jsqr). `?decoder=jsqr` in the page URL
 * forces jsQR. jsQR gets `inversionAttempts: 'dontInvert'` on EVERY call: it keeps options
 * between calls, and trying the inverted image too costs about 45% on frames without a code.
 * Only the central square of the frame is decoded, scaled to at most FRAME_SIDE pixels.
 */

const FRAME_SIDE = 480; // px: enough for a phone-screen QR held up to the camera
const MIN_INTERVAL_MS = 90; // at most ~11 decodes a second: leave the CPU to the page
const SAME_CODE_PAUSE_MS = 3000; // the same card still in front of the camera: ignore it
const JSQR_URL = '/vendor/jsqr/jsQR.js';

let jsqrPromise = null;
let nativePromise = null;

function forcedDecoder() {
  try {
    return new URLSearchParams(location.search).get('decoder');
  } catch {
    return null;
  }
}

/** jsQR, loaded once (a UMD file: it sets self.jsQR). */
export function loadJsQR() {
  if (!jsqrPromise) {
    jsqrPromise = import(JSQR_URL).then(() => {
      if (typeof self.jsQR !== 'function') throw new Error('jsQR did not load');
      return self.jsQR;
    });
    jsqrPromise.catch(() => {
      jsqrPromise = null;
    });
  }
  return jsqrPromise;
}

/** A BarcodeDetector for QR codes, or null where the browser has none that reads them. */
export function nativeDetector() {
  if (!nativePromise) {
    nativePromise = (async () => {
      if (forcedDecoder() === 'jsqr' || !('BarcodeDetector' in self)) return null;
      try {
        const formats = await self.BarcodeDetector.getSupportedFormats();
        return formats.includes('qr_code') ? new self.BarcodeDetector({ formats: ['qr_code'] }) : null;
      } catch {
        return null;
      }
    })();
  }
  return nativePromise;
}

/** Which decoder this browser will use: 'native' or 'jsqr'. */
export async function decoderName() {
  return (await nativeDetector()) ? 'native' : 'jsqr';
}

function decodeWithJsQR(jsQR, ctx, width, height) {
  const image = ctx.getImageData(0, 0, width, height);
  const found = jsQR(image.data, width, height, { inversionAttempts: 'dontInvert' });
  return found && found.data ? found.data : null;
}

/** Draw the central square of `source` (w x h) reduced to at most `side` px; returns its size. */
function drawCentre(ctx, source, w, h, side) {
  const crop = Math.min(w, h);
  const size = Math.min(side, crop);
  if (ctx.canvas.width !== size) {
    ctx.canvas.width = size;
    ctx.canvas.height = size;
  }
  ctx.drawImage(source, (w - crop) / 2, (h - crop) / 2, crop, crop, 0, 0, size, size);
  return size;
}

/**
 * A camera scanner bound to a <video> element.
 * onCode(text, {decoder, decodeMs}) is called once per new code; the loop pauses itself
 * until resume(). onError(error) reports camera failures (permission, no camera).
 */
export function createScanner({ video, onCode, onError = () => {} }) {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let stream = null;
  let running = false;
  let paused = false;
  let busy = false;
  let frameHandle = 0;
  let lastDecode = 0;
  let lastText = '';
  let lastTextAt = 0;
  let decoder = null; // {name, detect(video): Promise<string|null>}

  async function pickDecoder() {
    const native = await nativeDetector();
    if (native) {
      return {
        name: 'native',
        async detect(source) {
          const codes = await native.detect(source);
          return codes.length ? codes[0].rawValue : null;
        },
      };
    }
    const jsQR = await loadJsQR();
    return {
      name: 'jsqr',
      async detect(source, w, h) {
        const size = drawCentre(ctx, source, w, h, FRAME_SIDE);
        return decodeWithJsQR(jsQR, ctx, size, size);
      },
    };
  }

  function schedule() {
    if (!running) return;
    if (video.requestVideoFrameCallback) frameHandle = video.requestVideoFrameCallback(tick);
    else frameHandle = requestAnimationFrame(tick);
  }

  async function tick() {
    if (!running) return;
    const now = performance.now();
    if (paused || busy || now - lastDecode < MIN_INTERVAL_MS || video.readyState < 2) {
      schedule();
      return;
    }
    busy = true;
    lastDecode = now;
    try {
      const text = await decoder.detect(video, video.videoWidth, video.videoHeight);
      const decodeMs = performance.now() - now;
      if (text && running && !paused) {
        const repeat = text === lastText && performance.now() - lastTextAt < SAME_CODE_PAUSE_MS;
        lastText = text;
        lastTextAt = performance.now();
        if (!repeat) {
          paused = true;
          onCode(text, { decoder: decoder.name, decodeMs });
        }
      }
    } catch (err) {
      console.warn('decode failed', err);
    } finally {
      busy = false;
      schedule();
    }
  }

  return {
    get running() {
      return running;
    },
    get decoder() {
      return decoder ? decoder.name : null;
    },
    /** Open the rear camera and start decoding. */
    async start() {
      if (running) return;
      try {
        decoder = decoder || (await pickDecoder());
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
        });
        video.setAttribute('playsinline', '');
        video.muted = true;
        video.srcObject = stream;
        await video.play();
        running = true;
        paused = false;
        schedule();
      } catch (err) {
        this.stop();
        onError(err);
      }
    },
    /** Stop decoding (the picture stays live), e.g. while a verdict is shown. */
    pause() {
      paused = true;
    },
    /** Decode again; the code just read is ignored for a few seconds if still in view. */
    resume() {
      lastTextAt = performance.now();
      paused = false;
    },
    /** Release the camera. */
    stop() {
      running = false;
      if (frameHandle && video.cancelVideoFrameCallback) video.cancelVideoFrameCallback(frameHandle);
      else if (frameHandle) cancelAnimationFrame(frameHandle);
      frameHandle = 0;
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.srcObject = null;
    },
  };
}

/** Read a QR code from a photo the user picked (resolves null if none is found). */
export async function decodeImageFile(file) {
  const bitmap = await createImageBitmap(file);
  try {
    const native = await nativeDetector();
    if (native) {
      const codes = await native.detect(bitmap);
      if (codes.length) return codes[0].rawValue;
    }
    const jsQR = await loadJsQR();
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    // A photo: scale the whole picture (not only the centre) down to a decodable size.
    const scale = Math.min(1, 1024 / Math.max(bitmap.width, bitmap.height));
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return decodeWithJsQR(jsQR, ctx, canvas.width, canvas.height);
  } finally {
    if (bitmap.close) bitmap.close();
  }
}
