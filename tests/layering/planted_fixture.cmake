# Runs scripts/check-layering over a small fixture tree: clean, it passes; with a wrong-way
# include, an ImGui include and a wall clock planted, it fails and names each one.
# Usage: cmake -DCHECK=<script> -DFIXTURE=<scratch dir> -P planted_fixture.cmake

file(REMOVE_RECURSE ${FIXTURE})
file(WRITE ${FIXTURE}/sim/engine/clock.h "#pragma once\n// std::chrono::steady_clock is not used here.\nstruct Clock {};\n")
file(WRITE ${FIXTURE}/sim/kafka/broker.h "#pragma once\n#include \"engine/clock.h\"\n")
file(WRITE ${FIXTURE}/sim/scenario/world.h "#pragma once\n#include \"kafka/broker.h\"\n")
file(WRITE ${FIXTURE}/sim/gateway/server.cc "#include <boost/asio.hpp>\n#include \"scenario/world.h\"\n")

execute_process(COMMAND ${CHECK} ${FIXTURE} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check-layering fails on a clean fixture (exit ${rc}):\n${out}${err}")
endif()

file(WRITE ${FIXTURE}/sim/kafka/broker.h
     "#pragma once\n#include \"engine/clock.h\"\n#include \"scenario/world.h\"\n")
file(WRITE ${FIXTURE}/sim/raft/node.cc
     "#include <imgui.h>\nlong Now() { return std::chrono::system_clock::now().time_since_epoch().count(); }\n")
execute_process(COMMAND ${CHECK} ${FIXTURE} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "check-layering should exit 1 on planted problems, exited ${rc}:\n${out}${err}")
endif()
foreach(expected
    "sim/kafka/broker.h:3: wrong-way include \"scenario/world.h\": kafka may include only engine, storage, raft, zookeeper, kafka"
    "sim/raft/node.cc:1: includes <imgui.h>"
    "sim/raft/node.cc:2: std::chrono::system_clock (a wall clock)"
    "FAILED: 3 problem(s)")
  string(FIND "${err}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "check-layering output lacks \"${expected}\":\n${err}")
  endif()
endforeach()
file(REMOVE_RECURSE ${FIXTURE})
