# ctest script: install the built project into a temporary prefix, build
# examples/score_sequence against it with find_package(reason), and run it on a fixture.
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples/score_sequence" -B "${WORK_DIR}/build"
                        -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configure failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK_DIR}/build" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "build failed:\n${out}\n${err}")
endif()
execute_process(COMMAND "${WORK_DIR}/build/score_sequence" "${SOURCE_DIR}/tests/data/hf/qwen2"
                        "${SOURCE_DIR}/tests/data/hf/qwen2/lora" -- 5 17 300 42
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "total -[0-9]")
  message(FATAL_ERROR "run failed (${rc}):\n${out}\n${err}")
endif()
message(STATUS "${out}")

# examples/custom_reward: a user-defined reward registered by name next to the built-in ones.
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples/custom_reward" -B "${WORK_DIR}/build-custom-reward"
                        -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "custom_reward configure failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK_DIR}/build-custom-reward" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "custom_reward build failed:\n${out}\n${err}")
endif()
execute_process(COMMAND "${WORK_DIR}/build-custom-reward/custom_reward" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
# accuracy 1 x 2.0 + keyword 1 x 0.5 for the first sample; the third is right and says "verify" too.
if(NOT rc EQUAL 0 OR NOT out MATCHES "sample 0: accuracy=1 keyword=1 total 2.5" OR NOT out MATCHES "sample 1: accuracy=0 keyword=0 total 0"
   OR NOT out MATCHES "sample 2: accuracy=1 keyword=1 total 2.5")
  message(FATAL_ERROR "custom_reward run failed (${rc}):\n${out}\n${err}")
endif()
message(STATUS "${out}")
