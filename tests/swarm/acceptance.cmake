cmake_policy(SET CMP0054 NEW)
# One acceptance swarm of issue 9: broker-failure under acks=all and min.insync.replicas=2 with
# the nemesis crash,kill,partition over seeds 1..SEEDS. EXPECT says what the swarm must find:
#   none        ELR on (Kafka 4.1+): no guarantee broken, no acknowledged write lost
#   documented  Kafka 4.0 or ZooKeeper mode (no ELR): the only breaks are losses after a power
#               loss, named so
#   lost        acks=1 with unclean elections: lost writes found, and a reported seed
#               reproduces with `kafkasim run` to the same trace hash
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${KAFKASIM} swarm ${SCENARIO} --seeds 1..${SEEDS} --jobs 2
                        --nemesis crash,kill,partition --no-progress --json ${WORK_DIR}/s.json
                        --trace-dir ${WORK_DIR}/traces
                WORKING_DIRECTORY ${WORK_DIR}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message(STATUS "${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the swarm failed (exit ${rc}):\n${err}")
endif()
string(REGEX MATCH "seeds run: ([0-9]+)" _ "${out}")
if(NOT CMAKE_MATCH_1 EQUAL SEEDS)
  message(FATAL_ERROR "expected ${SEEDS} seeds run")
endif()
string(REGEX MATCH "guarantees broken: +([0-9]+) seed" _ "${out}")
set(broken ${CMAKE_MATCH_1})
string(REGEX MATCH "acknowledged writes lost at the end: ([0-9]+) seed" _ "${out}")
set(lost_seeds ${CMAKE_MATCH_1})
if(EXPECT STREQUAL "none")
  if(NOT broken EQUAL 0 OR NOT lost_seeds EQUAL 0)
    message(FATAL_ERROR "with ELR on, expected no broken guarantee and no lost write; got "
                        "${broken} and ${lost_seeds} seeds")
  endif()
elseif(EXPECT STREQUAL "documented")
  string(REGEX MATCH "\\(([0-9]+) only by a documented loss: " _ "${out}")
  if(broken EQUAL 0 OR NOT CMAKE_MATCH_1 EQUAL broken)
    message(FATAL_ERROR "without ELR, expected losses after power loss, all documented; got "
                        "${broken} seeds broken, '${CMAKE_MATCH_1}' documented")
  endif()
  # Every seed that ends with acknowledged writes lost had the guarantee break when it happened.
  if(lost_seeds GREATER broken)
    message(FATAL_ERROR "${lost_seeds} seeds lost acknowledged writes but only ${broken} broke a "
                        "guarantee: the durability check missed a loss")
  endif()
  # Named as such: every one after a power loss (unclean elections are off here).
  if(NOT out MATCHES "documented: a broker lost power first" OR
     out MATCHES "documented: an unclean leader election")
    message(FATAL_ERROR "expected every loss to be named a loss after power loss")
  endif()
elseif(EXPECT STREQUAL "lost")
  if(lost_seeds EQUAL 0)
    message(FATAL_ERROR "with acks=1 and unclean elections, expected lost writes")
  endif()
  # Every reported seed reproduces: rerun the first three and compare trace hashes.
  file(READ ${WORK_DIR}/s.json summary)
  string(JSON count LENGTH "${summary}" results)
  math(EXPR last "${count} - 1")
  set(checked 0)
  foreach(i RANGE ${last})
    string(JSON n GET "${summary}" results ${i} lost_acknowledged)
    if(n EQUAL 0 OR checked EQUAL 3)
      continue()
    endif()
    string(JSON seed GET "${summary}" results ${i} seed)
    string(JSON hash GET "${summary}" results ${i} trace_hash)
    execute_process(COMMAND ${KAFKASIM} run --quiet ${SCENARIO} --seed ${seed}
                            --nemesis crash,kill,partition
                    OUTPUT_VARIABLE run_out RESULT_VARIABLE run_rc)
    if(NOT run_out MATCHES "trace-hash: ${hash}")
      message(FATAL_ERROR "seed ${seed} does not reproduce: the swarm saw ${hash}:\n${run_out}")
    endif()
    string(JSON trace GET "${summary}" results ${i} trace_file)
    if(NOT EXISTS ${trace})
      message(FATAL_ERROR "seed ${seed}: no trace file ${trace}")
    endif()
    math(EXPR checked "${checked} + 1")
  endforeach()
else()
  message(FATAL_ERROR "unknown EXPECT ${EXPECT}")
endif()
