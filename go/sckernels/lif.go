package sckernels

import "math"

// LifParams are the scalar parameters of one LIF step (docs/design.md#spike-order).
type LifParams struct {
	VRest, VReset, VThreshold, Alpha, Resistance float64
}

// LifStep advances leaky integrate-and-fire neurons by one step, in float64:
//
//	v' = v + (v_rest - v) * alpha + I_t * resistance + noise
//	spike = v' >= v_threshold;  v' = v_reset where it spiked
//
// v, iT and noise are 1-D arrays of the same shape; every value must be
// finite and alpha > 0.
func LifStep(v, iT, noise NDArray[float64], p LifParams) (NDArray[float64], NDArray[uint8], error) {
	var vOut NDArray[float64]
	var spikes NDArray[uint8]
	if err := checkArray("v", v, 1); err != nil {
		return vOut, spikes, err
	}
	if err := checkArray("i_t", iT, 1); err != nil {
		return vOut, spikes, err
	}
	if err := checkArray("noise", noise, 1); err != nil {
		return vOut, spikes, err
	}
	if err := sameShape("v", v.Shape, "i_t", iT.Shape); err != nil {
		return vOut, spikes, err
	}
	if err := sameShape("v", v.Shape, "noise", noise.Shape); err != nil {
		return vOut, spikes, err
	}
	for _, c := range []struct {
		name string
		data []float64
	}{{"v", v.Data}, {"i_t", iT.Data}, {"noise", noise.Data},
		{"v_rest", []float64{p.VRest}}, {"v_reset", []float64{p.VReset}},
		{"v_threshold", []float64{p.VThreshold}}, {"alpha", []float64{p.Alpha}},
		{"resistance", []float64{p.Resistance}}} {
		if err := checkFinite(c.name, c.data); err != nil {
			return vOut, spikes, err
		}
	}
	if !(p.Alpha > 0) || math.IsInf(p.Alpha, 0) {
		return vOut, spikes, invalid("alpha must be a finite number > 0, got %v", p.Alpha)
	}
	n := len(v.Data)
	vOut = NDArray[float64]{Shape: append([]int(nil), v.Shape...), Data: make([]float64, n)}
	spikes = NDArray[uint8]{Shape: append([]int(nil), v.Shape...), Data: make([]uint8, n)}
	for k := 0; k < n; k++ {
		// The explicit float64() conversions force a rounding after every
		// operation: the Go spec lets a compiler fuse x*y + z into one FMA
		// otherwise (it does on arm64), which would change the last bit.
		leak := float64((p.VRest - v.Data[k]) * p.Alpha)
		drive := float64(iT.Data[k] * p.Resistance)
		vNew := float64(float64(v.Data[k]+leak)+drive) + noise.Data[k]
		if vNew >= p.VThreshold {
			vNew = p.VReset
			spikes.Data[k] = 1
		}
		vOut.Data[k] = vNew
	}
	return vOut, spikes, nil
}
