# Pinned third-party C sources, fetched at configure time from Debian source packages (nothing is committed).
#  - KissFFT 131.1.0 (BSD-3-Clause): Debian source package `kissfft`.
#  - WebRTC VAD (BSD-3-Clause): Debian's `webrtc-audio-processing` source tarball is not served by the package mirror
#    reachable here (404), so the VAD is taken from Debian bookworm's `libtgowt` source package (Telegram's WebRTC
#    snapshot, 2023-01-05), which carries the same common_audio/vad code. Only the VAD and the signal-processing
#    helpers it calls are unpacked and compiled.
set(SID_KISSFFT_SHA256 76c1aac87ddb7258f34b08a13f0eebf9e53afa299857568346aa5c82bcafaf1a)
set(SID_WEBRTC_SHA256  6dea19e84d8dc1ae60d3f6215bf946fd445587189c3a768a40a9f75e974ac282)
set(_fetch "${CMAKE_CURRENT_LIST_DIR}/fetch-debian-source.sh")

function(sid_fetch pkg sha dest)
  execute_process(COMMAND bash "${_fetch}" ${pkg} ${sha} "${dest}" ${ARGN}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Could not fetch the Debian source package '${pkg}' (pinned sha256 ${sha}).")
  endif()
endfunction()

sid_fetch(kissfft ${SID_KISSFFT_SHA256} "${SID_DEPS_DIR}/kissfft")
sid_fetch(libtgowt ${SID_WEBRTC_SHA256} "${SID_DEPS_DIR}/webrtc"
  "*/src/common_audio/vad/*" "*/src/common_audio/signal_processing/*"
  "*/src/common_audio/third_party/spl_sqrt_floor/*" "*/src/rtc_base/checks.h" "*/src/rtc_base/sanitizer.h"
  "*/src/rtc_base/compile_assert_c.h" "*/src/rtc_base/system/arch.h" "*/src/rtc_base/system/inline.h" "*/LICENSE")

set(_kiss "${SID_DEPS_DIR}/kissfft/src")
add_library(sid_kissfft STATIC "${_kiss}/kiss_fft.c" "${_kiss}/kiss_fftr.c")
target_include_directories(sid_kissfft SYSTEM PUBLIC "${_kiss}")
target_compile_definitions(sid_kissfft PUBLIC kiss_fft_scalar=float)
target_compile_options(sid_kissfft PRIVATE -w)

set(_rtc "${SID_DEPS_DIR}/webrtc/src/src")
set(_vad_sources)
foreach(f vad/vad_core vad/vad_filterbank vad/vad_gmm vad/vad_sp vad/webrtc_vad
          signal_processing/division_operations signal_processing/energy signal_processing/get_scaling_square
          signal_processing/resample_48khz signal_processing/resample_by_2_internal signal_processing/resample_fractional
          signal_processing/spl_inl signal_processing/min_max_operations signal_processing/cross_correlation
          signal_processing/downsample_fast signal_processing/vector_scaling_operations signal_processing/spl_init
          third_party/spl_sqrt_floor/spl_sqrt_floor)
  list(APPEND _vad_sources "${_rtc}/common_audio/${f}.c")
endforeach()
add_library(sid_webrtc_vad STATIC ${_vad_sources} "${CMAKE_CURRENT_LIST_DIR}/webrtc_fatal_message.c")
target_include_directories(sid_webrtc_vad SYSTEM PUBLIC "${_rtc}")
target_compile_definitions(sid_webrtc_vad PRIVATE WEBRTC_POSIX)
target_compile_options(sid_webrtc_vad PRIVATE -w)
