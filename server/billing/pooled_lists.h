#pragma once
// Many short lists in one pool (issue 20: 100,000 devices each kept three vectors of two or
// three entries, ~300 bytes a device with their allocations). A list is the index of its newest
// node (kEmptyList: none); nodes are added at the front and never removed one by one: the
// pool is freed whole. Its order is newest first. Nodes live in fixed blocks: growing never
// copies them nor holds twice their size.

#include <cstdint>
#include <memory>
#include <vector>

namespace tally::server::billing {

inline constexpr std::uint32_t kEmptyList = 0xffffffffU;

template <typename Value>
class PooledLists {
  public:
    //! Adds `value` in front of the list `head`; returns the value added.
    Value& push(std::uint32_t& head, const Value& value) {
        if ((size_ & kBlockMask) == 0) {
            blocks_.push_back(std::make_unique<Node[]>(kBlockSize));
        }
        node(size_) = Node{value, head};
        head = size_++;
        return node(head).value;
    }
    //! The newest value of the list `head` (nullptr when empty).
    const Value* front(std::uint32_t head) const {
        return head == kEmptyList ? nullptr : &node(head).value;
    }
    //! The first value of the list `head` for which pred(value) holds (nullptr: none).
    template <typename Pred>
    Value* find_if(std::uint32_t head, Pred pred) {
        for (auto n = head; n != kEmptyList; n = node(n).next) {
            if (pred(node(n).value)) {
                return &node(n).value;
            }
        }
        return nullptr;
    }
    //! fn(value) for every value of the list `head`, newest first.
    template <typename Fn>
    void each(std::uint32_t head, Fn fn) const {
        for (auto n = head; n != kEmptyList; n = node(n).next) {
            fn(node(n).value);
        }
    }
    //! Frees every list (heads kept by the caller name nothing afterwards).
    void release() {
        std::vector<std::unique_ptr<Node[]>>().swap(blocks_);
        size_ = 0;
    }

  private:
    struct Node {
        Value value;
        std::uint32_t next = kEmptyList;
    };
    static constexpr std::uint32_t kBlockSize = 4096;
    static constexpr std::uint32_t kBlockMask = kBlockSize - 1;

    Node& node(std::uint32_t i) { return blocks_[i / kBlockSize][i & kBlockMask]; }
    const Node& node(std::uint32_t i) const { return blocks_[i / kBlockSize][i & kBlockMask]; }

    std::vector<std::unique_ptr<Node[]>> blocks_;
    std::uint32_t size_ = 0;
};

}  // namespace tally::server::billing
