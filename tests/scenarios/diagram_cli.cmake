# `kafkasim diagram` as a user runs it: bad flags exit 2 with a message naming the problem,
# and the same scenario, seed and window give byte-identical Mermaid and SVG files.
function(expect_usage_error expected)
  execute_process(COMMAND ${KAFKASIM} diagram ${ARGN}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "kafkasim diagram ${ARGN}: exit ${rc}, expected 2\n${out}${err}")
  endif()
  string(FIND "${err}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "kafkasim diagram ${ARGN}: stderr lacks '${expected}':\n${err}")
  endif()
endfunction()

expect_usage_error("--from and --to are both required" ${SCENARIO} --from 5s)
expect_usage_error("--from 20s is after --to 10s" ${SCENARIO} --from 20s --to 10s)
expect_usage_error("--to 200s is past the end of the scenario (95.000s)"
                   ${SCENARIO} --from 1s --to 200s)
expect_usage_error("--format 'png': expected mermaid or svg"
                   ${SCENARIO} --from 1s --to 2s --format png)
expect_usage_error("--from 'soon': expected a duration" ${SCENARIO} --from soon --to 2s)
expect_usage_error("unrecognised option '--bogus'" ${SCENARIO} --from 1s --to 2s --bogus)
expect_usage_error("missing scenario FILE" --from 1s --to 2s)

foreach(format mermaid svg)
  foreach(run 1 2)
    set(path ${WORK_DIR}/diagram-${format}-${run})
    execute_process(COMMAND ${KAFKASIM} diagram ${SCENARIO} --from 18s --to 19.5s
                            --format ${format} --seed 42 -o ${path}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "kafkasim diagram --format ${format} failed (exit ${rc}):\n${err}")
    endif()
    file(READ ${path} text${run})
  endforeach()
  if(NOT text1 STREQUAL text2)
    message(FATAL_ERROR "kafkasim diagram --format ${format}: two runs with seed 42 differ")
  endif()
endforeach()
if(NOT text1 MATCHES "^<svg xmlns=\"http://www.w3.org/2000/svg\"" OR NOT text1 MATCHES "</svg>\n$")
  message(FATAL_ERROR "kafkasim diagram --format svg: not an SVG document:\n${text1}")
endif()
execute_process(COMMAND ${KAFKASIM} diagram ${SCENARIO} --from 18s --to 19.5s
                OUTPUT_VARIABLE stdout_text RESULT_VARIABLE rc)
file(READ ${WORK_DIR}/diagram-mermaid-1 mermaid)
if(NOT rc EQUAL 0 OR NOT stdout_text STREQUAL mermaid)
  message(FATAL_ERROR "kafkasim diagram without -o must print the same Mermaid text to stdout")
endif()
foreach(part "sequenceDiagram\n" " as broker-1\n" " as controller-3\n" " produce: Produce cities-"
             " fetch: Fetch")
  string(FIND "${mermaid}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "kafkasim diagram: Mermaid output lacks '${part}':\n${mermaid}")
  endif()
endforeach()
