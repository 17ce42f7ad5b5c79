// AudioWorklet: the microphone's samples (channel 0) to the page, in blocks of ~100 ms (fewer messages than the
// 128-frame render quantum), with the block's peak level for the meter.
class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate / 10);
    this.block = new Float32Array(this.size);
    this.at = 0;
  }

  process(inputs) {
    const input = inputs[0]?.[0];
    if (!input) return true;
    for (let i = 0; i < input.length; i++) {
      this.block[this.at++] = input[i];
      if (this.at === this.size) {
        let peak = 0;
        for (const v of this.block) peak = Math.max(peak, Math.abs(v));
        this.port.postMessage({ samples: this.block, peak }, [this.block.buffer]);
        this.block = new Float32Array(this.size);  // the last one was handed over (transferred)
        this.at = 0;
      }
    }
    return true;
  }
}
registerProcessor('capture', CaptureProcessor);
