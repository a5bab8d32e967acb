"""One leaky integrate-and-fire step in float64 (docs/design.md#spike-order).

``v' = v + (v_rest - v) * alpha + I_t * resistance + noise`` evaluated left to
right with one rounding per operation (build with ``--fp-mode contract=off``:
the default mode fuses ``a * b + c`` into FMAs); ``spike = v' >= v_threshold``;
spiking neurons are reset to ``v_reset``.
"""

from .ndarray import NDArray, shape_str
from .validation import check_finite, check_finite_scalar


struct LifResult(Movable):
    var v: NDArray[DType.float64]
    var spike: NDArray[DType.uint8]

    def __init__(out self, var v: NDArray[DType.float64], var spike: NDArray[DType.uint8]):
        self.v = v^
        self.spike = spike^


def broadcast_strides(arr_shape: List[Int], target: List[Int], name: String) raises -> List[Int]:
    """Strides (in elements) that read ``arr`` as if broadcast to ``target``.

    NumPy rules: align trailing axes; each of ``arr``'s dimensions equals the
    target's or is 1 (stride 0).  Raises when ``arr`` does not broadcast to
    exactly ``target``.
    """
    var nd = len(target)
    var na = len(arr_shape)
    if na > nd:
        raise Error(name + " must broadcast to v's shape " + shape_str(target)
                    + ", got shape " + shape_str(arr_shape))
    var strides = List[Int](length=nd, fill=0)
    var stride = 1
    for k in range(na - 1, -1, -1):
        var t = nd - na + k
        var d = arr_shape[k]
        if d == target[t]:
            strides[t] = 0 if d == 1 else stride
        elif d == 1:
            strides[t] = 0
        else:
            raise Error(name + " must broadcast to v's shape " + shape_str(target)
                        + ", got shape " + shape_str(arr_shape))
        stride *= d
    return strides^


def fp_contraction_detected() -> Bool:
    """True when this build fuses ``a * b + c`` (it must not, see the module doc)."""
    var x = 1.0 + 2.0 ** -30
    var c = -(1.0 + 2.0 ** -29)
    # Exactly x*x = 1 + 2^-29 + 2^-60; rounded it is 1 + 2^-29, so the sum is 0.
    return x * x + c != 0.0


def lif_step(v: NDArray[DType.float64], i_t: NDArray[DType.float64],
             noise: NDArray[DType.float64], v_rest: Float64, v_reset: Float64,
             v_threshold: Float64, alpha: Float64, resistance: Float64) raises -> LifResult:
    """One step for every neuron; ``i_t`` and ``noise`` broadcast to ``v``'s shape.

    Raises on non-finite values, ``alpha <= 0`` or shapes that do not
    broadcast to ``v``.
    """
    check_finite(v, "v")
    check_finite(i_t, "I_t")
    check_finite(noise, "noise")
    var si = broadcast_strides(i_t.shape, v.shape, "I_t")
    var sn = broadcast_strides(noise.shape, v.shape, "noise")
    check_finite_scalar(v_rest, "v_rest")
    check_finite_scalar(v_reset, "v_reset")
    check_finite_scalar(v_threshold, "v_threshold")
    check_finite_scalar(alpha, "alpha")
    if not (alpha > 0.0):
        raise Error("alpha must be a finite number > 0, got " + String(alpha))
    check_finite_scalar(resistance, "resistance")

    var out_v = NDArray[DType.float64](v.shape.copy())
    var out_s = NDArray[DType.uint8](v.shape.copy())
    var nd = v.ndim()
    var index = List[Int](length=nd, fill=0)  # multi-index into v, C order
    var ii = 0  # flat offsets into i_t and noise
    var nn = 0
    for k in range(v.size()):
        var vk = v.data[k]
        var leak = (v_rest - vk) * alpha
        var drive = i_t.data[ii] * resistance
        var vn = vk + leak
        vn = vn + drive
        vn = vn + noise.data[nn]
        if vn >= v_threshold:
            out_v.data[k] = v_reset
            out_s.data[k] = 1
        else:
            out_v.data[k] = vn
            out_s.data[k] = 0
        # advance the multi-index (last axis fastest) and the broadcast offsets
        var ax = nd - 1
        while ax >= 0:
            index[ax] += 1
            ii += si[ax]
            nn += sn[ax]
            if index[ax] < v.shape[ax]:
                break
            ii -= si[ax] * v.shape[ax]
            nn -= sn[ax] * v.shape[ax]
            index[ax] = 0
            ax -= 1
    return LifResult(out_v^, out_s^)
