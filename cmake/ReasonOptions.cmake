# Every build option of the project, in one place. None of them reaches a public header.
option(REASON_BUILD_TESTS "Build the GoogleTest suite and register it with ctest" ON)
option(REASON_BUILD_BENCH "Build the benchmark executables" ON)
option(REASON_USE_PCH "Precompile the LibTorch headers (much faster clean builds)" ON)
option(REASON_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)

function(reason_print_summary)
  message(STATUS "libreason ${PROJECT_VERSION}")
  message(STATUS "  LibTorch         ${Torch_VERSION} (CUDA: ${REASON_TORCH_HAS_CUDA})")
  message(STATUS "  tests / bench    ${REASON_BUILD_TESTS} / ${REASON_BUILD_BENCH}")
  message(STATUS "  precompiled hdr  ${REASON_USE_PCH}")
endfunction()
