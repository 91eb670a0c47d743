// Sequence diagram text generators (Mermaid, SVG) and the message recorder behind them.
#include "scenario/diagram.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim::scenario {

using kafka::MessageKind;

namespace {

bool IsHeartbeat(const MessageRecord& record) { return record.kind == MessageKind::kHeartbeat; }

// Lane order: the requested participants, then the others by first appearance.
std::vector<std::string> Lanes(const std::vector<MessageRecord>& messages,
                               const DiagramOptions& options) {
  std::vector<std::string> lanes = options.participants;
  auto add = [&lanes](const std::string& name) {
    if (std::find(lanes.begin(), lanes.end(), name) == lanes.end()) lanes.push_back(name);
  };
  for (const MessageRecord& m : messages) {
    add(m.from);
    add(m.to);
  }
  return lanes;
}

std::size_t LaneOf(const std::vector<std::string>& lanes, const std::string& name) {
  auto it = std::find(lanes.begin(), lanes.end(), name);
  KSIM_ASSERT(it != lanes.end());
  return static_cast<std::size_t>(it - lanes.begin());
}

// Mermaid message text may not hold ';' or '#' (they end a statement or start an entity).
std::string MermaidText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ';') {
      out += "#59;";
    } else if (c == '#') {
      out += "#35;";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string XmlText(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Okabe-Ito colours by message kind, as in the GUI's cluster map.
const char* KindColour(MessageKind kind) {
  switch (kind) {
    case MessageKind::kProduce:
      return "#E69F00";
    case MessageKind::kFetch:
      return "#0072B2";
    case MessageKind::kVote:
      return "#CC79A7";
    case MessageKind::kHeartbeat:
      return "#009E73";
    case MessageKind::kMetadata:
      return "#56B4E9";
    case MessageKind::kZooKeeper:
      return "#D55E00";
    case MessageKind::kGroup:
      return "#F0E442";
    default:
      return "#555555";
  }
}

constexpr int kLegendItemWidth = 80;
constexpr int kTitleWidth = 300;
constexpr std::size_t kLabelledMessagesMax = 60;

std::vector<MessageKind> KindsIn(const std::vector<MessageRecord>& messages) {
  std::vector<MessageKind> kinds;
  for (const MessageRecord& m : messages) {
    if (std::find(kinds.begin(), kinds.end(), m.kind) == kinds.end()) kinds.push_back(m.kind);
  }
  std::sort(kinds.begin(), kinds.end());
  return kinds;
}

// One coloured swatch per message kind present, right-aligned on the title line.
std::string Legend(const std::vector<MessageKind>& kinds, int width) {
  int x = width - 8 - static_cast<int>(kinds.size()) * kLegendItemWidth;
  std::string out;
  for (MessageKind kind : kinds) {
    out += fmt::format(
        "<line x1=\"{}\" y1=\"12\" x2=\"{}\" y2=\"12\" stroke=\"{}\" stroke-width=\"3\"/>"
        "<text x=\"{}\" y=\"16\">{}</text>\n",
        x, x + 16, KindColour(kind), x + 20, MessageKindName(kind));
    x += kLegendItemWidth;
  }
  return out;
}

}  // namespace

std::vector<MessageRecord> MessagesInWindow(const std::vector<MessageRecord>& records, Time from,
                                            Time to, const DiagramOptions& options) {
  std::vector<MessageRecord> out;
  for (const MessageRecord& r : records) {
    if (r.sent_at < from || r.sent_at >= to) continue;
    if (!options.include_heartbeats && IsHeartbeat(r)) continue;
    out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const MessageRecord& a, const MessageRecord& b) {
    return a.sent_at != b.sent_at ? a.sent_at < b.sent_at : a.deliver_at < b.deliver_at;
  });
  return out;
}

std::string SequenceDiagramMermaid(const std::vector<MessageRecord>& records, Time from, Time to,
                                   const DiagramOptions& options) {
  std::vector<MessageRecord> messages = MessagesInWindow(records, from, to, options);
  const std::size_t omitted =
      messages.size() > options.messages_max ? messages.size() - options.messages_max : 0;
  messages.resize(messages.size() - omitted);
  const std::vector<std::string> lanes = Lanes(messages, options);

  std::string out = "sequenceDiagram\n";
  out += fmt::format("    %% messages sent from t={} to t={}\n", FormatTime(from), FormatTime(to));
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    out += fmt::format("    participant P{} as {}\n", i, MermaidText(lanes[i]));
  }
  for (const MessageRecord& m : messages) {
    const char* arrow = m.outcome == MessageOutcome::kDropped ? "-x" : "->>";
    std::string suffix = m.outcome == MessageOutcome::kDropped    ? " (dropped)"
                         : m.outcome == MessageOutcome::kInFlight ? " (in flight)"
                                                                  : "";
    out += fmt::format("    P{}{}P{}: t={} {}: {}{}\n", LaneOf(lanes, m.from), arrow,
                       LaneOf(lanes, m.to), FormatTime(m.sent_at), MessageKindName(m.kind),
                       MermaidText(m.label), suffix);
  }
  if (omitted > 0 && !lanes.empty()) {
    out += fmt::format("    Note over P0: {} more messages not drawn\n", omitted);
  }
  return out;
}

std::string SequenceDiagramSvg(const std::vector<MessageRecord>& records, Time from, Time to,
                               const DiagramOptions& options) {
  std::vector<MessageRecord> messages = MessagesInWindow(records, from, to, options);
  const std::size_t omitted =
      messages.size() > options.messages_max ? messages.size() - options.messages_max : 0;
  messages.resize(messages.size() - omitted);
  const std::vector<std::string> lanes = Lanes(messages, options);

  constexpr int kLaneWidth = 160, kTop = 50, kHeight = 900, kMargin = 90;
  const std::vector<MessageKind> kinds = KindsIn(messages);
  const int width = std::max(
      kMargin * 2 + static_cast<int>(std::max<std::size_t>(lanes.size(), 1) - 1) * kLaneWidth,
      kTitleWidth + static_cast<int>(kinds.size()) * kLegendItemWidth);
  const int height = kTop + kHeight + 40;
  const double span = static_cast<double>(std::max<std::int64_t>((to - from).ns, 1));
  auto y_of = [&](Time t) {
    const double clamped = static_cast<double>(std::clamp(t.ns, from.ns, to.ns) - from.ns);
    return kTop + clamped / span * kHeight;
  };
  auto x_of = [&](const std::string& name) {
    return kMargin + static_cast<int>(LaneOf(lanes, name)) * kLaneWidth;
  };

  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"DejaVu Sans, sans-serif\" font-size=\"11\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"8\" y=\"16\">messages sent from t={} to t={}</text>\n",
      width, height, FormatTime(from), FormatTime(to));
  out += Legend(kinds, width);
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const int x = kMargin + static_cast<int>(i) * kLaneWidth;
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\n"
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>\n",
        x, kTop - 10, XmlText(lanes[i]), x, kTop, x, kTop + kHeight);
  }
  // A time axis on the left: ten ticks across the window.
  for (int i = 0; i <= 10; ++i) {
    const Time t = from + Nanoseconds((to - from).ns / 10 * i);
    const double y = y_of(t);
    out += fmt::format(
        "<line x1=\"4\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#eee\"/>"
        "<text x=\"4\" y=\"{:.1f}\" font-size=\"9\" fill=\"#777\">{}</text>\n",
        y, width - 4, y, y - 2, FormatTime(t));
  }
  // Labels only where they can be read; past that the <title> tooltips still name each one.
  const bool label_arrows = messages.size() <= kLabelledMessagesMax;
  for (const MessageRecord& m : messages) {
    const double x1 = x_of(m.from), y1 = y_of(m.sent_at);
    double x2 = x_of(m.to), y2 = y_of(m.deliver_at);
    const bool dropped = m.outcome == MessageOutcome::kDropped;
    if (dropped) {  // a lost message stops halfway, where it vanished
      x2 = (x1 + x2) / 2;
      y2 = (y1 + y2) / 2;
    }
    out += fmt::format(
        "<g><title>t={} {} -&gt; {}: {}</title><line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
        "y2=\"{:.1f}\" stroke=\"{}\"{}/>",
        FormatTime(m.sent_at), XmlText(m.from), XmlText(m.to), XmlText(m.label), x1, y1, x2, y2,
        KindColour(m.kind), dropped ? " stroke-dasharray=\"4 3\"" : "");
    if (dropped) {
      out += fmt::format(
          "<path d=\"M{:.1f} {:.1f} l6 6 m-6 0 l6 -6\" transform=\"translate(-3 -3)\" "
          "stroke=\"#D55E00\"/>",
          x2, y2);
    } else {
      out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"/>", x2, y2,
                         KindColour(m.kind));
    }
    if (label_arrows) {  // the label sits just past the sender, on the arrow's side
      const bool rightward = x2 >= x1;
      out += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"9\" fill=\"{}\" "
          "text-anchor=\"{}\">{}</text>",
          x1 + (rightward ? 6 : -6), y1 - 2, KindColour(m.kind), rightward ? "start" : "end",
          XmlText(m.label));
    }
    out += "</g>\n";
  }
  if (omitted > 0) {
    out += fmt::format("<text x=\"8\" y=\"{}\">{} more messages not drawn</text>\n", height - 10,
                       omitted);
  }
  out += "</svg>\n";
  return out;
}

MessageRecorder::MessageRecorder(const Simulation& simulation, std::size_t records_max)
    : simulation_(simulation), records_max_(std::max<std::size_t>(records_max, 4)) {}

MessageRecorder::Key MessageRecorder::KeyOf(const Message& message) {
  return {message.from, message.to, message.sent_at.ns, message.deliver_at.ns,
          message.message_class};
}

void MessageRecorder::OnSend(const Message& message, bool lost) {
  MessageRecord record;
  record.from = simulation_.NodeName(message.from);
  record.to = simulation_.NodeName(message.to);
  record.kind = kafka::MessageKindOf(message.message_class);
  record.sent_at = message.sent_at;
  record.deliver_at = message.deliver_at;
  record.label = message.payload ? message.payload->Describe() : MessageKindName(record.kind);
  record.outcome = lost ? MessageOutcome::kDropped : MessageOutcome::kInFlight;
  if (!lost) pending_.emplace(KeyOf(message), base_ + records_.size());
  records_.push_back(std::move(record));
  if (records_.size() > records_max_) Compact();
}

void MessageRecorder::OnDeliver(const Message& message) {
  Settle(message, MessageOutcome::kDelivered);
}

void MessageRecorder::OnDrop(const Message& message, const char* reason) {
  (void)reason;
  Settle(message, MessageOutcome::kDropped);
}

void MessageRecorder::Settle(const Message& message, MessageOutcome outcome) {
  auto it = pending_.find(KeyOf(message));
  if (it == pending_.end()) return;  // sent before the recorder was attached, or compacted away
  KSIM_ASSERT(it->second >= base_ && it->second - base_ < records_.size());
  records_[static_cast<std::size_t>(it->second - base_)].outcome = outcome;
  pending_.erase(it);
}

void MessageRecorder::Compact() {
  // Drop the oldest quarter at once so compaction cost is amortised.
  const std::size_t drop = records_.size() - records_max_ * 3 / 4;
  records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(drop));
  base_ += drop;
  discarded_ += drop;
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = it->second < base_ ? pending_.erase(it) : std::next(it);
  }
  KSIM_ASSERT(records_.size() <= records_max_);
}

void MessageRecorder::Clear() {
  records_.clear();
  pending_.clear();
  base_ = 0;
  discarded_ = 0;
}

}  // namespace kafkasim::scenario
