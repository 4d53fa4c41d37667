"""The voice channel: SIP call control (a sippy B2BUA), media (rtpengine), edge (Kamailio)."""
