"""The citizen portal (信访人网上办理): submit, track, rate and appeal without a staff login."""
