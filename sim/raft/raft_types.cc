// quorum-state JSON codec and names for the Raft vocabulary.
#include "raft/raft_types.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace kafkasim::raft {

const char* EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kData:
      return "data";
    case EntryKind::kLeaderChange:
      return "LeaderChange";
    case EntryKind::kNoOp:
      return "NoOp";
  }
  return "?";
}

std::string QuorumStateToJson(const QuorumState& state) {
  // Field order follows the file Kafka writes (FileQuorumStateStore, data_version 0).
  nlohmann::ordered_json json;
  json["clusterId"] = "";
  json["leaderId"] = state.leader_id;
  json["leaderEpoch"] = state.epoch;
  json["votedId"] = state.voted_for;
  json["appliedOffset"] = 0;
  nlohmann::ordered_json voters = nlohmann::ordered_json::array();
  for (NodeId id : state.voters) voters.push_back({{"voterId", id}});
  json["currentVoters"] = voters;
  json["data_version"] = 0;
  return json.dump();
}

Result<QuorumState> QuorumStateFromJson(std::string_view text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Status(Errc::kCorruption, "quorum-state is not a JSON object");
  }
  for (const char* key : {"leaderId", "leaderEpoch", "votedId"}) {
    if (!json.contains(key) || !json[key].is_number_integer()) {
      return Status(Errc::kCorruption, std::string("quorum-state lacks integer field ") + key);
    }
  }
  QuorumState state;
  state.leader_id = json["leaderId"].get<NodeId>();
  state.epoch = json["leaderEpoch"].get<Epoch>();
  state.voted_for = json["votedId"].get<NodeId>();
  if (state.epoch < 0) return Status(Errc::kCorruption, "quorum-state has a negative epoch");
  if (json.contains("currentVoters") && json["currentVoters"].is_array()) {
    for (const auto& voter : json["currentVoters"]) {
      if (!voter.is_object() || !voter.contains("voterId") ||
          !voter["voterId"].is_number_integer()) {
        return Status(Errc::kCorruption, "quorum-state currentVoters entry lacks voterId");
      }
      state.voters.push_back(voter["voterId"].get<NodeId>());
    }
  }
  std::sort(state.voters.begin(), state.voters.end());
  return state;
}

Result<std::string> DumpQuorumState(std::string_view text) {
  Result<QuorumState> state = QuorumStateFromJson(text);
  if (!state.ok()) return state.status();
  std::string voters;
  for (NodeId id : state->voters) voters += (voters.empty() ? "" : ",") + std::to_string(id);
  return "leaderId: " + std::to_string(state->leader_id) +
         " leaderEpoch: " + std::to_string(state->epoch) +
         " votedId: " + std::to_string(state->voted_for) + " currentVoters: [" + voters + "]\n";
}

}  // namespace kafkasim::raft
