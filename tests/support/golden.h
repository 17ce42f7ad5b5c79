// Paths into ../shared/golden and ../shared/audio for golden-parity tests.
#pragma once
#include <string>
#include <vector>

#include "npy.h"

namespace sid::test {

std::string shared_dir();                       // SID_SHARED_DIR (compile time) or $SID_SHARED_DIR
std::string golden_dir();                       // shared_dir() + "/golden"
bool file_exists(const std::string& path);
std::vector<uint8_t> read_file(const std::string& path);

// The developer golden ids (manifest order) and the subset whose input is 16 kHz mono (stage-level goldens).
const std::vector<std::string>& golden_ids();
std::vector<std::string> golden_ids_16k_mono();
// golden/files/<id>/<pipeline>/<array>.npy
NpyArray golden_array(const std::string& id, const std::string& pipeline, const std::string& array);
// Absolute path of the golden input of `id` if it is a WAV in golden/inputs, else "" (FLAC sources: use raw.npy).
std::string golden_wav_input(const std::string& id);

}  // namespace sid::test
