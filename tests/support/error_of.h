// Test helpers for the core's error model (src/error.h): run a call and get the reason or the code it threw.
#pragma once
#include <string>

#include "error.h"

// The message of the sid::Error that fn() throws, or "" when it returns normally.
template <typename F>
std::string error_of(F&& fn) {
  try {
    fn();
    return {};
  } catch (const sid::Error& e) {
    return e.what();
  }
}

// The code of the sid::Error that fn() throws; kInternal stands for "returned normally" (no call here throws it).
template <typename F>
sid::ErrorCode code_of(F&& fn) {
  try {
    fn();
  } catch (const sid::Error& e) {
    return e.code();
  }
  return sid::ErrorCode::kInternal;
}
