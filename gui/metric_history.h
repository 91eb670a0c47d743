// A bounded history of every metric in the snapshot, for the metrics panel's small plots.
// When full it halves its resolution instead of forgetting the start of the run.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "engine/time.h"

namespace kafkasim::gui {

struct MetricSeries {
  std::vector<Time> times;
  std::vector<float> values;
};

class MetricHistory {
 public:
  explicit MetricHistory(std::size_t samples_max = 512, Duration interval = Milliseconds(100));

  // Samples `metrics` if `now` moved at least one interval past the last sample. A `now`
  // before the last sample (a rewind) first drops the samples after it.
  void Record(Time now, const std::map<std::string, double>& metrics);
  void Clear();
  const std::map<std::string, MetricSeries>& series() const { return series_; }
  Duration interval() const { return interval_; }

 private:
  void Halve();

  std::size_t samples_max_;
  Duration interval_;
  Duration base_interval_;
  bool have_sample_ = false;
  Time last_;
  std::map<std::string, MetricSeries> series_;
};

}  // namespace kafkasim::gui
