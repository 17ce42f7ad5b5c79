#include "pipeline/model_family.h"

#include "error.h"
#include "pipeline/ecapa_frontend.h"
#include "pipeline/partial_slices.h"
#include "pipeline/resemblyzer_frontend.h"

namespace sid {

const FamilySpec& family_spec(ModelFamily family) {
  static const FamilySpec resemblyzer{ModelFamily::kResemblyzer, "resemblyzer", 256, kResemblyzerMels,
                                      kPartialFrames, 1, Pooling::kMeanL2,
                                      {"raw", "vad_flags", "vad_smoothed", "vad_keep", "preprocessed", "mel", "slices"}};
  static const FamilySpec ecapa{ModelFamily::kEcapa, "ecapa", 192, kEcapaMels, 0, 5, Pooling::kFirstRow,
                                {"fbank", "fbank_norm"}};
  return family == ModelFamily::kResemblyzer ? resemblyzer : ecapa;
}

ModelFamily parse_family(const std::string& name) {
  for (ModelFamily f : all_families())
    if (name == family_spec(f).name) return f;
  throw Error(ErrorCode::kInvalidArgument, "unknown model family '" + name + "'; accepted: resemblyzer, ecapa");
}

const std::vector<ModelFamily>& all_families() {
  static const std::vector<ModelFamily> families{ModelFamily::kResemblyzer, ModelFamily::kEcapa};
  return families;
}

}  // namespace sid
