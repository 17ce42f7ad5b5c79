// GET /metrics: Prometheus text exposition (format 0.0.4) of one tenant's requests, latency and matches, under
// the Python service's metric names. Per tenant, because match counts are labelled with speaker names.
// Route labels are templates ('/api/speakers/{name}'), so label cardinality stays bounded.
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const esc = (v) => String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (o) => `{${Object.entries(o).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;

export class Metrics {
  #requests = new Map();   // labels -> count
  #latency = new Map();    // labels -> { counts, sum, n }
  #matches = 0;
  #unknown = 0;
  #bySpeaker = new Map();

  request(path, method, status, seconds) {
    const r = labels({ path, method, status });
    this.#requests.set(r, (this.#requests.get(r) ?? 0) + 1);
    const l = labels({ path, method });
    const h = this.#latency.get(l) ?? { counts: new Array(BUCKETS.length).fill(0), sum: 0, n: 0 };
    BUCKETS.forEach((b, i) => { if (seconds <= b) h.counts[i] += 1; });
    h.sum += seconds;
    h.n += 1;
    this.#latency.set(l, h);
  }

  identified(speaker) {
    if (speaker === null) {
      this.#unknown += 1;
      return;
    }
    this.#matches += 1;
    this.#bySpeaker.set(speaker, (this.#bySpeaker.get(speaker) ?? 0) + 1);
  }

  render() {
    const out = [];
    out.push('# HELP speakerid_requests_total Total HTTP requests', '# TYPE speakerid_requests_total counter');
    for (const [l, n] of this.#requests) out.push(`speakerid_requests_total${l} ${n}`);
    out.push('# HELP speakerid_request_latency_seconds Request latency', '# TYPE speakerid_request_latency_seconds histogram');
    for (const [l, h] of this.#latency) {
      const inner = l.slice(1, -1);
      BUCKETS.forEach((b, i) => out.push(`speakerid_request_latency_seconds_bucket{${inner},le="${b}"} ${h.counts[i]}`));
      out.push(`speakerid_request_latency_seconds_bucket{${inner},le="+Inf"} ${h.n}`);
      out.push(`speakerid_request_latency_seconds_sum${l} ${h.sum}`, `speakerid_request_latency_seconds_count${l} ${h.n}`);
    }
    out.push('# HELP speakerid_identify_match_total Successful identifications', '# TYPE speakerid_identify_match_total counter',
      `speakerid_identify_match_total ${this.#matches}`);
    out.push('# HELP speakerid_identify_unknown_total Identifications below the threshold',
      '# TYPE speakerid_identify_unknown_total counter', `speakerid_identify_unknown_total ${this.#unknown}`);
    out.push('# HELP speakerid_identify_match_by_speaker_total Per-speaker matches',
      '# TYPE speakerid_identify_match_by_speaker_total counter');
    for (const [s, n] of this.#bySpeaker) out.push(`speakerid_identify_match_by_speaker_total${labels({ speaker: s })} ${n}`);
    return `${out.join('\n')}\n`;
  }
}
