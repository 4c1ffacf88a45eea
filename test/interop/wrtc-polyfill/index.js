// The three classes @thaunknown/simple-peer imports from webrtc-polyfill, taken from
// @roamhq/wrtc (libwebrtc) instead of node-datachannel. package.json's `overrides` puts
// this folder in webrtc-polyfill's place.
import wrtc from '@roamhq/wrtc';

export const { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate } = wrtc;
