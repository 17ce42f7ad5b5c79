// Catch2 v2 main, shared by the native and the wasm test binary.
#define CATCH_CONFIG_MAIN
#include <catch.hpp>
