# Finds every dependency once, for the library, the command line and the tests.
# Debian 12: libtorch-dev (1.13, CPU) here; on CUDA hosts the PyTorch wheel's LibTorch 2.x
# through CMAKE_PREFIX_PATH (python3 -c 'import torch; print(torch.utils.cmake_prefix_path)').
find_package(Torch REQUIRED)
find_package(Threads REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(GMP REQUIRED IMPORTED_TARGET gmp gmpxx)
pkg_check_modules(MPFR REQUIRED IMPORTED_TARGET mpfr)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)

# Debian's TorchConfig exports a plain library list; wrap it in one imported target.
if(NOT TARGET reason_torch)
  add_library(reason_torch INTERFACE)
  target_link_libraries(reason_torch INTERFACE ${TORCH_LIBRARIES})
  target_include_directories(reason_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
endif()
if(TORCH_CXX_FLAGS)
  separate_arguments(_reason_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
  target_compile_options(reason_torch INTERFACE ${_reason_torch_flags})
endif()

set(REASON_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR TARGET c10_cuda OR CUDA_FOUND)
  set(REASON_TORCH_HAS_CUDA ON)
endif()

if(REASON_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
