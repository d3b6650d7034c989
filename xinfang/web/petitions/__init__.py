"""The staff workbench for petitions: work queues, the list, the petition page, intake and actions.

Views stay thin: they parse with the forms of ``xinfang.web.forms``, read through
``xinfang.petitions.selectors`` (jurisdiction and accusation secrecy) and write through the services.
"""
