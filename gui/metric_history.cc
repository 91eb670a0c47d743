// Metric history with resolution halving.
#include "gui/metric_history.h"

#include <algorithm>

#include "engine/assert.h"

namespace kafkasim::gui {

MetricHistory::MetricHistory(std::size_t samples_max, Duration interval)
    : samples_max_(std::max<std::size_t>(samples_max, 4)),
      interval_(interval),
      base_interval_(interval) {}

void MetricHistory::Record(Time now, const std::map<std::string, double>& metrics) {
  if (have_sample_ && now < last_) {
    for (auto& [name, s] : series_) {
      auto keep = std::upper_bound(s.times.begin(), s.times.end(), now) - s.times.begin();
      s.times.resize(static_cast<std::size_t>(keep));
      s.values.resize(static_cast<std::size_t>(keep));
    }
    last_ = now;
    return;
  }
  if (have_sample_ && now - last_ < interval_) return;
  for (const auto& [name, value] : metrics) {
    MetricSeries& s = series_[name];
    s.times.push_back(now);
    s.values.push_back(static_cast<float>(value));
    KSIM_ASSERT(s.times.size() == s.values.size());
  }
  have_sample_ = true;
  last_ = now;
  bool full = false;
  for (const auto& [name, s] : series_) full = full || s.times.size() > samples_max_;
  if (full) Halve();
}

void MetricHistory::Halve() {
  for (auto& [name, s] : series_) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < s.times.size(); i += 2, ++out) {
      s.times[out] = s.times[i];
      s.values[out] = s.values[i];
    }
    s.times.resize(out);
    s.values.resize(out);
  }
  interval_ = interval_ * 2;
}

void MetricHistory::Clear() {
  series_.clear();
  have_sample_ = false;
  interval_ = base_interval_;
}

}  // namespace kafkasim::gui
