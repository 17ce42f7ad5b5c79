// The two upstream model families and every fact about them the rest of the code needs, in one place: the input
// the front-end makes for them, its layout and minimum length, how their outputs pool into one embedding, and
// the intermediate stages (named as in ../shared/golden/manifest.json). JS reads these through the bindings.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace sid {

enum class ModelFamily { kResemblyzer, kEcapa };

enum class Pooling {
  kMeanL2,    // L2(mean of the rows): Resemblyzer's partial embeddings (embed_utterance)
  kFirstRow,  // the single output row as it is: ECAPA's encode_batch (scored by cosine)
};

struct FamilySpec {
  ModelFamily family;
  const char* name;            // "resemblyzer" | "ecapa": the manifest's and the ONNX metadata's family/frontend
  size_t embedding_dim;        // 256 | 192
  size_t bands;                // mel bands per feature frame: 40 | 80
  size_t partial_frames;       // frames per input row: 160 (fixed partials, input [P][160][40]) | 0 (input [1][T][80])
  size_t min_frames;           // fewest feature frames the model accepts: 1 | 5 (ECAPA's widest reflect pad is 4)
  Pooling pooling;
  std::vector<std::string> stages;  // intermediate stages a front-end run can keep, in pipeline order
};

const FamilySpec& family_spec(ModelFamily family);
// "resemblyzer" | "ecapa"; anything else throws kInvalidArgument naming the accepted names.
ModelFamily parse_family(const std::string& name);
const std::vector<ModelFamily>& all_families();

}  // namespace sid
