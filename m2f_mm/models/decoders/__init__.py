"""Masked-attention transformer decoder."""
from .masked_attention_decoder import MaskedAttentionDecoder
from .masked_attention_decoder_layer import MaskedAttentionDecoderLayer

__all__ = ['MaskedAttentionDecoder', 'MaskedAttentionDecoderLayer']
