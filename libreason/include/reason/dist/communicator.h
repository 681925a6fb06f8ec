#pragma once
// How the training loop talks to its peers. World size 1 is the only implementation today;
// a c10d-based one (Gloo on CPUs, NCCL on GPUs) plugs in behind the same interface.
#include <ATen/ATen.h>

#include <memory>

namespace reason {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  bool is_main() const { return rank() == 0; }
  // In-place sum over ranks (LoRA gradients travel as one flat buffer).
  virtual void all_reduce_sum(at::Tensor& tensor) = 0;
  virtual void broadcast(at::Tensor& tensor, int root) = 0;
  virtual void barrier() = 0;
};

// A single process: every collective is the identity.
class LocalCommunicator : public Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  void all_reduce_sum(at::Tensor&) override {}
  void broadcast(at::Tensor&, int) override {}
  void barrier() override {}
};

}  // namespace reason
