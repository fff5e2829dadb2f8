"""``torch.ao.quantization`` (and ``torch.quantization``): eager-mode quantization, which needs
quantized tensors retrograd does not have. The stubs a float model holds before it is converted
(``QuantStub``, ``DeQuantStub``, ``QuantWrapper``) work as they do then, passing values through;
each other name raises ``NotImplementedError`` when called or made."""

from typing import Any

from ..._device import not_built
from ...nn.modules.module import Module

_REFUSED = (
    "quantize quantize_dynamic quantize_qat prepare convert prepare_qat quantize_jit "
    "quantize_dynamic_jit QuantType get_default_static_quant_module_mappings "
    "get_static_quant_module_class get_default_dynamic_quant_module_mappings "
    "get_default_qat_module_mappings get_default_qconfig_propagation_list "
    "get_default_compare_output_module_list get_quantized_operator get_fuser_method "
    "propagate_qconfig_ add_quant_dequant swap_module default_eval_fn ObserverBase "
    "WeightObserver HistogramObserver MinMaxObserver PerChannelMinMaxObserver observer "
    "default_observer default_weight_observer default_placeholder_observer "
    "default_per_channel_weight_observer default_fake_quant default_weight_fake_quant "
    "default_histogram_fake_quant QConfig QConfigMapping get_default_qconfig "
    "get_default_qat_qconfig default_qconfig default_dynamic_qconfig float16_dynamic_qconfig "
    "float_qparams_weight_only_qconfig default_qat_qconfig fuse_modules fuse_modules_qat "
    "FakeQuantize FakeQuantizeBase FixedQParamsFakeQuantize FixedQParamsObserver "
    "FusedMovingAvgObsFakeQuantize MatchAllNode MovingAverageMinMaxObserver "
    "MovingAveragePerChannelMinMaxObserver NoopObserver ObserverOrFakeQuantize Pattern "
    "PlaceholderObserver QConfigAny QConfigDynamic RecordingObserver ReuseInputObserver "
    "UniformQuantizationObserverBase convert_dynamic_jit convert_jit "
    "default_affine_fixed_qparams_fake_quant default_affine_fixed_qparams_observer "
    "default_debug_observer default_dynamic_fake_quant default_dynamic_quant_observer "
    "default_embedding_fake_quant default_embedding_fake_quant_4bit "
    "default_fixed_qparams_range_0to1_fake_quant default_fixed_qparams_range_0to1_observer "
    "default_fixed_qparams_range_neg1to1_fake_quant "
    "default_fixed_qparams_range_neg1to1_observer default_float_qparams_observer "
    "default_float_qparams_observer_4bit default_fused_act_fake_quant "
    "default_fused_per_channel_wt_fake_quant default_fused_wt_fake_quant "
    "default_histogram_observer default_per_channel_weight_fake_quant "
    "default_reuse_input_observer default_symmetric_fixed_qparams_fake_quant "
    "default_symmetric_fixed_qparams_observer disable_fake_quant disable_observer "
    "enable_fake_quant enable_observer fuse_conv_bn fuse_conv_bn_jit fuse_conv_bn_relu "
    "fuse_convtranspose_bn fuse_linear_bn "
    "fused_per_channel_wt_fake_quant_range_neg_127_to_127 "
    "fused_wt_fake_quant_range_neg_127_to_127 get_combined_dict "
    "get_default_custom_config_dict get_default_dynamic_sparse_quant_module_mappings "
    "get_default_float_to_quantized_operator_mappings get_default_qat_qconfig_dict "
    "get_default_qat_qconfig_mapping get_default_qconfig_dict get_default_qconfig_mapping "
    "get_default_static_quant_reference_module_mappings "
    "get_default_static_sparse_quant_module_mappings get_dynamic_quant_module_class "
    "get_embedding_qat_module_mappings get_embedding_static_quant_module_mappings "
    "get_fuser_method_new get_observer_state_dict load_observer_state_dict no_observer_set "
    "per_channel_weight_observer_range_neg_127_to_127 prepare_dynamic_jit prepare_jit "
    "qconfig_equals script_qconfig script_qconfig_dict weight_observer_range_neg_127_to_127 "
    "AffineQuantizedObserverBase Granularity MappingType PerAxis PerBlock PerGroup PerRow "
    "PerTensor PerToken TorchAODType ZeroPointDomain get_block_size"
)

globals().update(not_built("torch.ao.quantization", _REFUSED))


class _Stub(Module):
    """A place a converted model would change its values' type: until then, the identity."""

    def __init__(self, qconfig: Any = None) -> None:
        super().__init__()
        if qconfig:
            self.qconfig = qconfig

    def forward(self, x):
        return x


class QuantStub(_Stub):
    """Where a float model's values would be quantized once converted."""


class DeQuantStub(_Stub):
    """Where a converted model's values would be turned back to floats."""


class QuantWrapper(Module):
    """A module between a ``QuantStub`` and a ``DeQuantStub``."""

    def __init__(self, module: Module) -> None:
        super().__init__()
        qconfig = getattr(module, "qconfig", None)
        self.add_module("quant", QuantStub(qconfig))
        self.add_module("dequant", DeQuantStub(qconfig))
        self.add_module("module", module)
        self.train(module.training)

    def forward(self, X):
        return self.dequant(self.module(self.quant(X)))


__all__ = ["QuantStub", "DeQuantStub", "QuantWrapper", *_REFUSED.split()]
