"""Scratch memory (``_array.scratch_array``): reused per thread, bounded, and let go once the
requests have long been much smaller than what a slot keeps."""

import threading

import numpy as np

from retrograd import _array


def _kept():
    return sum(store.nbytes for store, _ in _array._scratch.slots.values())


def test_a_slot_is_reused_and_grows():
    _array.release_scratch()
    a = _array.scratch_array("test_a", (100,), np.float64)
    b = _array.scratch_array("test_a", (50,), np.float64)
    assert np.shares_memory(a, b)
    c = _array.scratch_array("test_a", (200,), np.float32)
    assert c.shape == (200,) and c.dtype == np.float32
    assert _kept() == _array._scratch.kept == 800
    _array.release_scratch()
    assert _kept() == _array._scratch.kept == 0


def test_a_thread_keeps_at_most_the_cap():
    _array.release_scratch()
    cap = _array._SCRATCH_TOTAL
    big = _array.scratch_array("test_big", (cap // 8,), np.float64)  # the whole cap
    assert big.nbytes == cap and _array._scratch.kept == cap
    other = _array.scratch_array("test_other", (1024,), np.float64)  # over it: not kept
    assert "test_other" not in _array._scratch.slots and other.shape == (1024,)
    again = _array.scratch_array("test_other", (1024,), np.float64)
    assert not np.shares_memory(other, again)
    huge = _array.scratch_array("test_huge", (cap // 4,), np.float64)
    assert huge.nbytes == 2 * cap and "test_huge" not in _array._scratch.slots
    _array.release_scratch()


def test_a_slot_long_asked_for_much_less_lets_its_memory_go():
    _array.release_scratch()
    _array.scratch_array("test_shrink", (1 << 20,), np.uint8)
    for _ in range(_array._SCRATCH_IDLE - 1):
        _array.scratch_array("test_shrink", (1000,), np.uint8)
    assert _array._scratch.kept == 1 << 20
    _array.scratch_array("test_shrink", (1 << 18,), np.uint8)  # a quarter: still in use
    for _ in range(_array._SCRATCH_IDLE - 1):
        _array.scratch_array("test_shrink", (1000,), np.uint8)
    assert _array._scratch.kept == 1 << 20
    _array.scratch_array("test_shrink", (1000,), np.uint8)
    assert _array._scratch.kept == 1000
    _array.release_scratch()


def test_each_thread_has_its_own_and_frees_it_on_exit():
    _array.release_scratch()
    mine = _array.scratch_array("test_thread", (10,), np.float64)
    seen = {}

    def other():
        theirs = _array.scratch_array("test_thread", (10,), np.float64)
        seen["shared"] = np.shares_memory(mine, theirs)
        seen["kept"] = _array._scratch.kept

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == {"shared": False, "kept": 80}
    assert _array._scratch.kept == 80
    _array.release_scratch()
