// Resemblyzer's compute_partial_slices (rate 1.3 partials/s, 160-frame partials, min coverage 0.75).
#pragma once
#include <cstddef>
#include <vector>

namespace sid {

struct PartialSlice { int mel_start, mel_stop, wav_start, wav_stop; };

constexpr int kPartialFrames = 160;
constexpr int kMelHop = 160;

// Exactly upstream (16 kHz, 10 ms mel hop):
//   n_frames   = ceil((n_samples + 1) / 160)
//   frame_step = np.round(16000 / rate / 160)   (half to even; 77 for rate 1.3)
//   steps      = max(1, n_frames - 160 + frame_step + 1)
//   slices start at i = 0, frame_step, 2*frame_step, ... < steps: mel [i, i + 160), wav [160 i, 160 (i + 160))
//   the last slice is dropped when (n_samples - wav_start) / 25600 < min_coverage and more than one slice exists.
// Throws std::invalid_argument when frame_step would be 0 or above 160 (upstream's asserts) or rate is not > 0.
// Always returns at least one slice (n_samples = 0 gives [0, 160)).
std::vector<PartialSlice> compute_partial_slices(size_t n_samples, double rate = 1.3, double min_coverage = 0.75);

}  // namespace sid
