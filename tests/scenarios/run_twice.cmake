# Runs one scenario twice headless; fails unless both runs pass and print the same trace-hash.
foreach(run 1 2)
  execute_process(COMMAND ${KAFKASIM} run --quiet ${SCENARIO}
                  OUTPUT_VARIABLE out${run} ERROR_VARIABLE err${run} RESULT_VARIABLE rc${run})
  if(NOT rc${run} EQUAL 0)
    message(FATAL_ERROR "run ${run} of ${SCENARIO} failed (exit ${rc${run}}):\n${out${run}}\n${err${run}}")
  endif()
  string(REGEX MATCH "trace-hash: [0-9a-f]+" hash${run} "${out${run}}")
endforeach()
if(hash1 STREQUAL "" OR NOT hash1 STREQUAL hash2)
  message(FATAL_ERROR "nondeterministic run of ${SCENARIO}: '${hash1}' vs '${hash2}'")
endif()
message(STATUS "${SCENARIO}: passed twice, ${hash1}")
