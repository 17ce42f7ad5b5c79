#include "golden.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace sid::test {

std::string shared_dir() {
  if (const char* env = std::getenv("SID_SHARED_DIR")) return env;
  return SID_SHARED_DIR;
}
std::string golden_dir() { return shared_dir() + "/golden"; }

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

const std::vector<std::string>& golden_ids() {
  static const std::vector<std::string> ids = {
      "dev01_test-other_1688-142285-0003", "dev02_test-other_2033-164914-0001",
      "dev03_test-other_3080-5032-0002",   "dev04_test-other_367-130732-0000",
      "dev05_train-clean-100_1034-121119-0000", "dev06_train-clean-100_1081-125237-0000",
      "dev07_sb-ASR_spk1_snt1",            "dev08_sb-ASR_spk2_snt1",
      "dev09_synth_short_0p6s",            "dev10_synth_silence_gap",
      "dev11_synth_quiet_-45dBFS",         "dev12_synth_stereo_44k1"};
  return ids;
}

std::vector<std::string> golden_ids_16k_mono() {
  std::vector<std::string> out;
  for (const auto& id : golden_ids())
    if (id != "dev12_synth_stereo_44k1") out.push_back(id);
  return out;
}

NpyArray golden_array(const std::string& id, const std::string& pipeline, const std::string& array) {
  return load_npy(golden_dir() + "/files/" + id + "/" + pipeline + "/" + array + ".npy");
}

std::string golden_wav_input(const std::string& id) {
  if (id == "dev09_synth_short_0p6s") return golden_dir() + "/inputs/synth_short_0p6s.wav";
  if (id == "dev10_synth_silence_gap") return golden_dir() + "/inputs/synth_silence_gap.wav";
  if (id == "dev11_synth_quiet_-45dBFS") return golden_dir() + "/inputs/synth_quiet_-45dBFS.wav";
  if (id == "dev12_synth_stereo_44k1") return golden_dir() + "/inputs/synth_stereo_44k1.wav";
  if (id == "dev07_sb-ASR_spk1_snt1") return shared_dir() + "/audio/speechbrain_tests_ASR/spk1_snt1.wav";
  if (id == "dev08_sb-ASR_spk2_snt1") return shared_dir() + "/audio/speechbrain_tests_ASR/spk2_snt1.wav";
  return "";
}

}  // namespace sid::test
