# Runs one scenario headless on seeds FIRST..LAST; fails unless it passes on every one of them,
# and names each failing seed with the command that reproduces it. A bundled scenario tells a
# true story on every seed, not only its own (roles, not guessed node ids).
set(failed "")
foreach(seed RANGE ${FIRST} ${LAST})
  execute_process(COMMAND ${KAFKASIM} run --quiet ${SCENARIO} --seed ${seed}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REGEX MATCHALL "  FAIL [^\n]*" fails "${out}")
    string(REPLACE ";" "\n" fails "${fails}")
    string(APPEND failed "seed ${seed} (exit ${rc}): kafkasim run ${SCENARIO} --seed ${seed}\n${fails}\n${err}\n")
  endif()
endforeach()
if(NOT failed STREQUAL "")
  message(FATAL_ERROR "${SCENARIO} failed on some seeds of ${FIRST}..${LAST}:\n${failed}")
endif()
message(STATUS "${SCENARIO}: passed on seeds ${FIRST}..${LAST}")
