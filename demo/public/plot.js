// A small canvas time-series plot: RTT samples and the smoothed estimate over the last `windowMs`,
// with vertical markers for connection events (close / open). No dependencies.

const COLORS = { grid: "#1f2933", axis: "#8594a3", latest: "#ff5c7a", smoothed: "#59b3ff", close: "#ff5c5c", open: "#3ddc97" };

/** Rounds a ceiling up to 1/2/5 × 10^n so the axis labels are readable. */
function niceCeil(value) {
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * exp) return step * exp;
  return 10 * exp;
}

/** Live plot of `{ at, rtt, smoothed }` samples (times from performance.now()). */
export class RttPlot {
  constructor(canvas, { windowMs = 60_000 } = {}) {
    this.canvas = canvas;
    this.windowMs = windowMs;
    this.samples = [];
    this.markers = [];
  }

  add(sample) {
    this.samples.push(sample);
  }

  mark(at, kind) {
    this.markers.push({ at, kind });
  }

  draw(now) {
    const { canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(width * dpr)) canvas.width = Math.round(width * dpr);
    if (canvas.height !== Math.round(height * dpr)) canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const from = now - this.windowMs;
    this.samples = this.samples.filter((s) => s.at >= from - 2000);
    this.markers = this.markers.filter((m) => m.at >= from);
    const pad = { left: 44, right: 10, top: 10, bottom: 22 };
    const w = width - pad.left - pad.right;
    const h = height - pad.top - pad.bottom;
    const peak = Math.max(1, ...this.samples.map((s) => Math.max(s.rtt, s.smoothed ?? 0)));
    const top = niceCeil(peak * 1.15);
    const x = (t) => pad.left + ((t - from) / this.windowMs) * w;
    const y = (v) => pad.top + h - (v / top) * h;

    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = (top / 4) * i;
      ctx.strokeStyle = COLORS.grid;
      ctx.beginPath();
      ctx.moveTo(pad.left, Math.round(y(v)) + 0.5);
      ctx.lineTo(pad.left + w, Math.round(y(v)) + 0.5);
      ctx.stroke();
      ctx.fillStyle = COLORS.axis;
      ctx.textAlign = "right";
      ctx.fillText(`${v < 10 ? v.toFixed(1) : Math.round(v)} ms`, pad.left - 6, y(v) + 4);
    }
    ctx.textAlign = "center";
    for (let s = 0; s <= this.windowMs / 1000; s += 10) {
      ctx.fillText(s === 0 ? "now" : `-${s}s`, x(now - s * 1000), height - 6);
    }

    for (const m of this.markers) {
      ctx.strokeStyle = COLORS[m.kind];
      ctx.setLineDash([3, 4]);
      ctx.beginPath();
      ctx.moveTo(Math.round(x(m.at)) + 0.5, pad.top);
      ctx.lineTo(Math.round(x(m.at)) + 0.5, pad.top + h);
      ctx.stroke();
      ctx.setLineDash([]);
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.left, pad.top - 4, w, h + 8);
    ctx.clip();
    this.#line(ctx, x, y, "smoothed", COLORS.smoothed, 2);
    this.#line(ctx, x, y, "rtt", COLORS.latest, 1.5);
    ctx.fillStyle = COLORS.latest;
    for (const s of this.samples) {
      ctx.beginPath();
      ctx.arc(x(s.at), y(s.rtt), 2.5, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.restore();
  }

  /** Draws one series; a new connection (`session` change) starts a new segment. */
  #line(ctx, x, y, key, color, width) {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    let session;
    for (const s of this.samples) {
      if (s[key] === undefined) continue;
      if (s.session !== session) ctx.moveTo(x(s.at), y(s[key]));
      else ctx.lineTo(x(s.at), y(s[key]));
      session = s.session;
    }
    ctx.stroke();
  }
}
